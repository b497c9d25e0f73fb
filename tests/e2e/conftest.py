"""Fixtures for end-to-end tests: live reference providers on 127.0.0.1."""

from collections.abc import Iterator

import pytest

from gpc_assure.provider import ProviderSettings, ReferenceProvider


@pytest.fixture(scope="session")
def conformant_provider() -> Iterator[ReferenceProvider]:
    with ReferenceProvider(ProviderSettings()) as provider:
        yield provider
