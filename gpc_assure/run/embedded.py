"""Starting the embedded reference provider and pointing a configuration at it."""

from dataclasses import replace
from typing import cast

from gpc_assure.config.provider_config import DocumentExpectation, ProviderConfig
from gpc_assure.provider import Fault, ProviderSettings, ReferenceProvider
from gpc_assure.provider.settings import SpecVersion


def start_embedded_provider(
    config: ProviderConfig, faults: frozenset[Fault] = frozenset()
) -> tuple[ReferenceProvider, ProviderConfig]:
    """Start the reference provider for `config`'s spec version; return it and the config
    that targets it (its CA, a client certificate it trusts, and its documents)."""
    provider = ReferenceProvider(
        ProviderSettings(
            spec=cast(SpecVersion, config.spec), provider_asid=config.provider_asid, faults=faults
        )
    )
    provider.start()
    documents = tuple(
        DocumentExpectation(id=d.id, content_type=d.content_type, sha256=d.sha256)
        for d in provider.documents
        if not d.oversize
    )
    by_size = sorted((d for d in provider.documents if not d.oversize), key=lambda d: d.size)
    oversize = next((d.id for d in provider.documents if d.oversize), None)
    resolved = config.with_embedded(
        base_url=provider.base_url,
        ca=provider.pki.ca_cert,
        client_cert=provider.pki.client_cert,
        client_key=provider.pki.client_key,
        provider_asid=provider.provider_asid,
        documents=documents,
        expired_client=(provider.pki.expired_client_cert, provider.pki.expired_client_key),
        other_host_client=(provider.pki.other_host_client_cert, provider.pki.other_host_client_key),
    )
    if not config.documents:  # the embedded documents are in use: name the size-test ones too
        resolved = replace(
            resolved,
            large_document_id=config.large_document_id or by_size[-1].id,
            oversize_document_id=config.oversize_document_id or oversize,
        )
    return provider, resolved
