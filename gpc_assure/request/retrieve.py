"""The one valid "Retrieve a document" request, and the variants scenarios derive from it."""

import time
import uuid
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.jwt_claims import encode_unsecured, valid_claims
from gpc_assure.spec.versions import spec_version

FHIR_JSON = "application/fhir+json"
QUERY_SAFE = ":/@"
"""Characters a query name or value keeps as they are (RFC 3986 allows them in a query); every
other reserved one is percent-encoded, the pipe of a token search among them."""

Header = tuple[str, str]


def encode_query(pairs: tuple[tuple[str, str], ...]) -> str:
    """`name=value&...` in the given order, each part percent-encoded but for QUERY_SAFE, so
    `identifier=https://fhir.nhs.uk/Id/nhs-number%7C...` and `_revinclude:recurse=...` go on
    the wire as a FHIR consumer writes them."""
    return "&".join(
        f"{quote(name, safe=QUERY_SAFE)}={quote(value, safe=QUERY_SAFE)}" for name, value in pairs
    )


@dataclass(frozen=True)
class RetrieveRequest:
    """An HTTP request as it will go on the wire: header names keep their case and order."""

    method: str
    url: str
    headers: tuple[Header, ...] = field(repr=False)  # a repr (a failure's) shows no token
    query: tuple[tuple[str, str], ...] = ()
    body: bytes = field(default=b"", repr=False)
    via_proxy: bool = False
    """Sent through a Spine Secure Proxy, which may answer some requests itself."""

    @property
    def wire_url(self) -> str:
        """The URL as sent: `url`, then the query (see `encode_query`), if any."""
        return f"{self.url}?{encode_query(self.query)}" if self.query else self.url

    @property
    def document_id(self) -> str:
        """The logical id this request asks for, as the provider should decode it."""
        return unquote(self.url.rsplit("/Binary/", 1)[-1])

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any letter case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def without_header(self, name: str) -> "RetrieveRequest":
        wanted = name.lower()
        return replace(self, headers=tuple(h for h in self.headers if h[0].lower() != wanted))

    def with_header(self, name: str, value: str) -> "RetrieveRequest":
        """Replace header `name` (any letter case) in place, or append it; sent as spelled here."""
        wanted = name.lower()
        if self.header(name) is None:
            return replace(self, headers=(*self.headers, (name, value)))
        return replace(
            self,
            headers=tuple(
                (name, value) if k.lower() == wanted else (k, v) for k, v in self.headers
            ),
        )

    def with_method(self, method: str) -> "RetrieveRequest":
        return replace(self, method=method)

    def with_resource_type(self, resource_type: str) -> "RetrieveRequest":
        """The same request addressed to `[base]/<resource_type>/[id]` instead of Binary."""
        head, separator, document = self.url.rpartition("/Binary/")
        if not separator:
            raise ValueError(f"{self.url} is not a Binary/[id] URL")
        return replace(self, url=f"{head}/{quote(resource_type, safe='')}/{document}")

    def with_query(self, name: str, value: str) -> "RetrieveRequest":
        return replace(self, query=(*self.query, (name, value)))

    def with_bearer_token(self, token: str) -> "RetrieveRequest":
        return self.with_header("Authorization", f"Bearer {token}")


def service_url(config: ProviderConfig, *segments: str) -> str:
    """`[base]/seg/ments`, or the Spine Secure Proxy form `proxy/[base]/seg/ments`; each segment
    percent-encoded whole (an id holding `/` stays one segment)."""
    assert config.base_url is not None, "the target provider is resolved before requests are built"
    url = "/".join([config.base_url, *(quote(segment, safe="") for segment in segments)])
    return f"{config.proxy_url}/{url}" if config.proxy_url else url


def binary_url(config: ProviderConfig, document_id: str) -> str:
    """`[base]/Binary/[id]`, or the Spine Secure Proxy form `proxy/[base]/Binary/[id]`."""
    return service_url(config, "Binary", document_id)


def spine_headers(
    config: ProviderConfig, interaction: str, now: int | None = None
) -> tuple[Header, ...]:
    """A conformant consumer's headers for `interaction`, with a fresh trace id and token."""
    issued_at = int(time.time()) if now is None else now
    return (
        ("Accept", FHIR_JSON),
        ("Ssp-TraceID", str(uuid.uuid4())),
        ("Ssp-From", config.consumer_asid),
        ("Ssp-To", config.provider_asid),
        ("Ssp-InteractionID", interaction),
        ("Authorization", f"Bearer {encode_unsecured(valid_claims(config, issued_at))}"),
    )


def valid_request(
    config: ProviderConfig, document_id: str, now: int | None = None
) -> RetrieveRequest:
    """A conformant consumer's request for `document_id`, with a fresh trace id and token."""
    return RetrieveRequest(
        method="GET",
        url=binary_url(config, document_id),
        headers=spine_headers(config, spec_version(config.spec).binary_read_interaction, now),
        via_proxy=config.proxy_url is not None,
    )
