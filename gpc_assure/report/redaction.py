"""Masking chosen values (`--redact`) in what a run records, before anything is serialised.

Values are replaced in the data itself (configuration, scenario records, evidence), so no
encoding a writer applies later (JSON `\\u00eb`, HTML `&amp;`, base64 of a token) can carry
them into a file. When a JWT claim is named, every bearer token is masked whole, and so is
each dot-separated part of the tokens a scenario sent, wherever it is quoted: a token's
parts carry its claims in base64url or, for the deliberately malformed tokens, in plain JSON.
"""

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.jwt_claims import valid_claims
from gpc_assure.request.retrieve import valid_request

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?")


@dataclasses.dataclass(frozen=True)
class Redactor:
    """The values to mask (longest first) and whether bearer tokens go too."""

    values: tuple[str, ...] = ()
    tokens: bool = False

    @classmethod
    def of(cls, values: Iterable[str], tokens: bool) -> "Redactor":
        return cls(tuple(sorted(set(values), key=len, reverse=True)), tokens)

    @property
    def active(self) -> bool:
        return bool(self.values) or self.tokens

    def with_tokens_of(self, authorizations: Iterable[str]) -> "Redactor":
        """This redactor, also masking the sent Authorization values and their token parts."""
        if not self.tokens:
            return self
        extra: set[str] = set()
        for authorization in authorizations:
            extra.add(authorization)
            _, _, token = authorization.partition(" ")
            extra.add(token)
            extra.update(token.split("."))
        wanted = {v for v in extra if len(v) >= MIN_SECRET_CHARS}
        return Redactor.of([*self.values, *wanted], self.tokens)

    def text(self, text: str) -> str:
        if self.tokens:
            text = _JWT.sub(REDACTED, text)
        for value in self.values:
            text = text.replace(value, REDACTED)
        return text

    def mask(self, value: Any) -> Any:
        """A copy of `value` (str, dict, list, tuple, frozen dataclass) with the values masked."""
        if not self.active:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.mask(k): self._entry(k, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            items = [self.mask(item) for item in value]
            if self.tokens and len(items) == 2 and str(items[0]).lower() == "authorization":
                items[1] = REDACTED  # a header pair
            return type(value)(items) if isinstance(value, tuple) else items
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self.mask(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            }
            return dataclasses.replace(value, **changes)
        return value

    def _entry(self, key: object, value: Any) -> Any:
        if self.tokens and key == "jwt" and isinstance(value, dict):
            return {k: REDACTED if k == "signature" else self.mask(v) for k, v in value.items()}
        return self.mask(value)


def _claim(claims: dict[str, object], path: str) -> list[str]:
    """Every string or number under the dotted `path` (lists are searched through)."""
    nodes: list[object] = [claims]
    for part in path.split("."):
        found: list[object] = []
        for node in nodes:
            items = node if isinstance(node, list) else [node]
            found += [i[part] for i in items if isinstance(i, dict) and part in i]
        nodes = found
    flat: list[str] = []
    for node in nodes:
        for value in node if isinstance(node, list) else [node]:
            if isinstance(value, str | int) and not isinstance(value, bool):
                flat.append(str(value))
    return flat


NHS_NUMBERS = "nhs_numbers"
"""The name that masks the configured test patients' NHS numbers (in search queries, answers and
the resolved configuration)."""


def secret_values(config: ProviderConfig, names: Iterable[str]) -> tuple[set[str], bool]:
    """The literal values of the named headers, JWT claims and (`nhs_numbers`) NHS numbers, and
    whether any claim is named (then whole tokens must go too: their base64 would still carry
    the values)."""
    request = valid_request(config, "redaction-probe")
    claims = valid_claims(config, 0)
    values: set[str] = set()
    claim_named = False
    for name in names:
        if name == NHS_NUMBERS:
            values.update(config.nhs_numbers)
            continue
        header = request.header(name)
        if header is not None:
            values.add(header)
            continue
        found = _claim(claims, name)
        if not found:
            raise ValueError(
                f"--redact {name}: not a request header, JWT claim path or {NHS_NUMBERS} "
                "(e.g. Ssp-From, Ssp-To, requesting_organization.identifier.value)"
            )
        values.update(found)
        claim_named = True
    short = sorted(v for v in values if len(v) < MIN_SECRET_CHARS)
    if short:
        raise ValueError(
            f"--redact: a value of {len(short[0])} characters cannot be masked safely "
            f"(at least {MIN_SECRET_CHARS} needed); drop that name or change its value"
        )
    return values, claim_named
