"""`--jobs` forks the session only while it runs a single thread; the embedded provider, which
serves from threads, runs in a process of its own."""

import threading
from pathlib import Path
from typing import Any

import pytest

from gpc_assure.config.provider_config import load_config
from gpc_assure.request.retrieve import valid_request
from gpc_assure.run.embedded import EmbeddedProviderError, start_embedded_provider
from gpc_assure.run.parallel import refuse_to_fork_threads
from gpc_assure.transport.client import Transport


def test_forking_is_refused_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="still-serving", daemon=True)
    thread.start()
    try:
        with pytest.raises(RuntimeError, match=r"--jobs 4: .*other threads run \(.*still-serving"):
            refuse_to_fork_threads(4)
    finally:
        stop.set()
        thread.join()


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


def test_a_provider_that_cannot_start_says_why() -> None:
    faults: Any = frozenset({"no-such-fault"})  # a name the type checker would refuse
    with pytest.raises(EmbeddedProviderError, match="did not start: ValueError: unknown fault"):
        start_embedded_provider(load_config(None, {}, {}), faults)
