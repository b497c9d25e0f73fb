"""Parallel scenarios for `gpc-assure run --jobs N`: after collection, the session forks N
children, each running its share of the scenarios; their reports come back over pipes and are
replayed in the parent, so JUnit, the records, the console and the exit code are those of a
serial run.

Forking a process that has already imported and collected everything costs milliseconds, where
starting a fresh worker process costs most of a second: it is what makes a run against a slow,
far-away provider several times faster on a small machine. Forking is only safe while the
process runs a single thread (a lock held by another thread stays held forever in the child), so
the embedded provider serves from a process of its own, and the runner refuses to fork otherwise.
"""

import json
import multiprocessing
import os
import selectors
import threading
from typing import IO, Any

import pytest
from _pytest.runner import runtestprotocol


class ForkedRunner:
    """Replaces pytest's run loop with N forked children (Linux and macOS)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        refuse_to_fork_threads(self.jobs)
        items = session.items
        next_item = multiprocessing.Value("i", 0)  # shared: each child takes the next scenario
        pipes: dict[IO[str], int] = {}
        for _ in range(min(self.jobs, len(items))):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: run scenarios, send their reports, leave at once
                os.close(read)
                out = os.fdopen(write, "w", encoding="utf-8")
                os._exit(_run_scenarios(session, next_item, out))
            os.close(write)
            pipes[os.fdopen(read, encoding="utf-8")] = pid
        self._replay(session, pipes)
        return True

    @staticmethod
    def _replay(session: pytest.Session, pipes: dict[IO[str], int]) -> None:
        config = session.config
        selector = selectors.DefaultSelector()
        for pipe in pipes:
            selector.register(pipe, selectors.EVENT_READ)
        open_streams = len(pipes)
        while open_streams:
            for key, _ in selector.select():
                stream: Any = key.fileobj
                line = stream.readline()
                if not line:
                    selector.unregister(stream)
                    stream.close()
                    os.waitpid(pipes[stream], 0)
                    open_streams -= 1
                    continue
                report = config.hook.pytest_report_from_serializable(
                    config=config, data=_from_json(line)
                )
                config.hook.pytest_runtest_logreport(report=report)


def refuse_to_fork_threads(jobs: int) -> None:
    """Raise RuntimeError, naming them, if threads other than this one run: a forked child
    would inherit their locks but not the threads that would release them."""
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if others:
        raise RuntimeError(
            f"--jobs {jobs}: cannot fork the test session while other threads run "
            f"({', '.join(others)}); start them in a process of their own, or run with --jobs 1"
        )


def _from_json(line: str) -> dict[str, Any]:
    """A serialised report; a skip's (path, line, reason) comes back a tuple, as pytest expects."""
    data: dict[str, Any] = json.loads(line)
    if data.get("outcome") == "skipped" and isinstance(data.get("longrepr"), list):
        data["longrepr"] = tuple(data["longrepr"])
    return data


def _take(next_item: Any, count: int) -> int | None:
    with next_item.get_lock():
        index = int(next_item.value)
        next_item.value = index + 1
    return index if index < count else None


def _run_scenarios(session: pytest.Session, next_item: Any, out: IO[str]) -> int:
    """Run scenarios until none is left; the fixtures of each are torn down after it."""
    config = session.config
    try:
        while (index := _take(next_item, len(session.items))) is not None:
            item = session.items[index]
            for report in runtestprotocol(item, log=False, nextitem=None):
                data = config.hook.pytest_report_to_serializable(config=config, report=report)
                out.write(json.dumps(data) + "\n")
                out.flush()
    except BaseException:  # a child must never return into the parent's code
        return 1
    finally:
        out.close()
    return 0
