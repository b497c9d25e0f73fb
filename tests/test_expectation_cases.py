"""The expectation cases of tests/expectation_cases/, as data: exchange in, met or not out."""

import json
from pathlib import Path
from typing import Any

import pytest

from gpc_assure.checks import expect
from gpc_assure.checks.expect import ErrorJudgement, Observation
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.transport.exchange import Exchange, ResponseRecord

CASES_DIR = Path(__file__).parent / "expectation_cases"


def exchange_of(spec: dict[str, Any]) -> Exchange:
    request = RetrieveRequest(
        "GET", "https://p/Binary/doc-1", (), via_proxy=bool(spec.get("via_proxy"))
    )
    if spec.get("no_response"):
        return Exchange(request, (), "2026-01-01T00:00:00Z", 1.0, None, "connection reset")
    if "json" in spec:
        body = json.dumps(spec["json"]).encode("utf-8")
    else:
        body = str(spec.get("text", "")).encode("utf-8")
    headers = tuple((str(k), str(v)) for k, v in spec.get("headers", []))
    response = ResponseRecord(int(spec["status"]), "HTTP/1.1", headers, body)
    return Exchange(request, (), "2026-01-01T00:00:00Z", 1.0, response)


def observe(group: dict[str, Any], exchange: Exchange) -> Observation | None:
    args = dict(group["args"])
    if "alternatives" in args:
        args["alternatives"] = expect.parse_rejections(args["alternatives"])
    result = getattr(expect, group["expectation"])(exchange, **args)
    if isinstance(result, ErrorJudgement):
        observation: Observation | None = getattr(result, group.get("part", "allowed"))
        return observation
    assert isinstance(result, Observation)
    return result


def cases() -> list[Any]:
    found = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            for case in group["tests"]:
                name = f"{path.stem}: {group['description']}: {case['description']}"
                found.append(pytest.param(group, case, id=name))
    return found


@pytest.mark.parametrize(("group", "case"), cases())
def test_expectation_case(group: dict[str, Any], case: dict[str, Any]) -> None:
    observation = observe(group, exchange_of(case["exchange"]))
    assert observation is not None, "the expectation gave no observation for this part"
    assert observation.met is case["met"], observation
    assert observation.expected
    assert observation.observed


def test_every_case_file_has_cases() -> None:
    assert len(cases()) >= 40
