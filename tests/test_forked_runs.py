"""`--jobs` forks the session only while it runs a single thread; the embedded provider, which
serves from threads, runs in a process of its own."""

import threading
from pathlib import Path

from gpc_assure.client import Transport
from gpc_assure.config import load_config
from gpc_assure.embedded import start_embedded_provider
from gpc_assure.request import valid_request


def test_the_embedded_provider_serves_from_another_process() -> None:
    threads_before = set(threading.enumerate())
    provider, config = start_embedded_provider(load_config(None, {}, {}))
    try:
        assert set(threading.enumerate()) == threads_before
        assert config.base_url == provider.base_url
        assert config.tls.ca is not None
        assert config.tls.ca.is_file()
        assert config.large_document_id in {d.id for d in config.documents}
        with Transport(config) as transport:
            exchange = transport.send(valid_request(config, config.documents[0].id))
        assert exchange.response is not None, exchange.error
        assert exchange.response.status == 200
    finally:
        provider.stop()
    assert not Path(config.tls.ca).parent.exists(), "the provider's PKI folder outlived it"
