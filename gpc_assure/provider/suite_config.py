"""The suite's own configuration for a running reference provider: what `gpc-assure provider`
prints a ready `gpc-assure run` line for. A text contract only: nothing of the suite is imported."""

from __future__ import annotations

from pathlib import Path

from .server import ReferenceProvider

SUITE_CONFIG_FILE = "gpc-assure.toml"


def suite_config_toml(provider: ReferenceProvider, *, nhs_numbers: bool = False) -> str:
    """The suite's configuration for this running provider, with every document's expected
    type and digest (the format of `gpc-assure run --config`); with *nhs_numbers*, also the
    NHS numbers of the test patients that have documents, for the suite to find them from."""
    served = [d for d in provider.documents if not d.oversize]
    oversize = next((d.id for d in provider.documents if d.oversize), None)
    lines = [
        f'base_url = "{provider.base_url}"',
        f'provider_asid = "{provider.provider_asid}"',
        f'large_document_id = "{max(served, key=lambda d: d.size).id}"',
    ]
    if nhs_numbers:
        numbers = [f'"{p.nhs_number}"' for p in provider.patients if p.document_ids]
        lines.append(f"nhs_numbers = [{', '.join(numbers)}]")
    if oversize:
        lines.append(f'oversize_document_id = "{oversize}"')
    if provider.settings.tls:
        lines += [
            "",
            "[tls]",
            f'ca = "{provider.pki.ca_cert}"',
            f'client_cert = "{provider.pki.client_cert}"',
            f'client_key = "{provider.pki.client_key}"',
            f'expired_client_cert = "{provider.pki.expired_client_cert}"',
            f'expired_client_key = "{provider.pki.expired_client_key}"',
            f'other_host_client_cert = "{provider.pki.other_host_client_cert}"',
            f'other_host_client_key = "{provider.pki.other_host_client_key}"',
        ]
    for document in served:
        lines += [
            "",
            "[[documents]]",
            f'id = "{document.id}"',
            f'content_type = "{document.content_type}"',
            f'sha256 = "{document.sha256}"',
        ]
    return "\n".join(lines) + "\n"


def write_suite_config(provider: ReferenceProvider, *, nhs_numbers: bool = False) -> Path:
    """The configuration written beside the provider's certificates (see suite_config_toml);
    its path."""
    path = provider.pki.ca_cert.parent / SUITE_CONFIG_FILE
    path.write_text(suite_config_toml(provider, nhs_numbers=nhs_numbers), encoding="utf-8")
    return path
