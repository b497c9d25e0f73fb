"""The assurance report as one self-contained HTML page, for accreditation reviewers.

Input is the document described by ``schemas/assurance-report.schema.json``; any string in it
may come from the provider. This module only shapes that document into plain view objects. The
page is the Jinja2 template ``templates/assurance-report.html.j2``, rendered with
autoescaping on, so the engine escapes every value; control and bidirectional-override
characters are also written visibly (``\\x1b``). The stylesheet ``templates/report.css``
is inlined, and the page's Content-Security-Policy allows that one stylesheet by its SHA-256 and
nothing else: no script, no external resource. Its only outbound links go to specification pages.
"""

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from gpc_assure.report.assurance import selection_words

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_LISTED_SCENARIOS",
    "PRETTY_MAX_DEPTH",
    "PREVIEW_CHARS",
    "PREVIEW_LINES",
    "TEMPLATE",
    "TITLE",
    "body_view",
    "content_security_policy",
    "environment",
    "page_view",
    "render_html",
]

TITLE = "GP Connect Access Document \u2014 Retrieve a document: assurance report"
MAX_BODY_CHARS = 64 * 1024
PREVIEW_LINES = 40
PREVIEW_CHARS = 4 * 1024
"""A card's compact evidence shows a body's first PREVIEW_LINES lines, at most PREVIEW_CHARS
characters; the whole excerpt (up to MAX_BODY_CHARS) is under its "Full exchange"."""
MAX_LISTED_SCENARIOS = 5
"""How many scenarios the verdict lists under one requirement before "and N more"."""
MAX_DETAIL_CHARS = 400
"""A listed scenario's expected and observed, on one line, cut to this many characters."""
PRETTY_MAX_DEPTH = 32
TEMPLATE = "assurance-report.html.j2"
STYLESHEET = "report.css"

_VERDICTS = {
    "conformant": ("Conformant", "good"),
    "non-conformant": ("Non-conformant", "bad"),
    "incomplete": ("Incomplete", "warn"),
}
_STATUS_CLASS = {
    "passed": "good",
    "met": "good",
    "failed": "bad",
    "error": "bad",
    "warning": "warn",
    "reported": "info",
    "manual": "info",
    "not-tested": "none",
    "not evaluated": "none",
    "not-applicable": "none",
    "skipped": "none",
    "not-run": "none",
}
_STEP_MARKS = {"passed": "\u2713", "failed": "\u2717"}
_MESSAGE_LABELS = {
    "failed": "Failure",
    "warning": "Warning",
    "error": "Error",
    "skipped": "Skipped",
}
_OPEN_EVIDENCE = frozenset({"failed", "warning", "error"})
_SCENARIO_OUTCOMES = ("passed", "failed", "warning", "skipped", "error")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_WEB_LINK = re.compile(r"https?://", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"[\t\n\r]+")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls; and the bidirectional
# embeddings, overrides and isolates, which can make text read differently from what it is.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --------------------------------------------------------------------------------------------
# Rendering


@cache
def environment() -> Environment:
    """The template environment: autoescaping on, and a missing value is an error, not ""."""
    env = Environment(
        loader=PackageLoader("gpc_assure.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = _thousands
    return env


def render_html(report: Mapping[str, Any]) -> str:
    """The whole assurance report as one self-contained HTML5 page."""
    template = environment().get_template(TEMPLATE)
    return template.render(page=page_view(report), csp=content_security_policy())


@cache
def content_security_policy() -> str:
    """The page's policy: its own inlined stylesheet, allowed by hash, and nothing else."""
    stylesheet = environment().get_template(STYLESHEET).render()
    digest = base64.b64encode(hashlib.sha256(stylesheet.encode("utf-8")).digest()).decode()
    return f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def _visible(value: object) -> object:
    r"""A plain string with its control characters written as escapes (`\x1b`, `\u202e`).

    Jinja2 applies this to every `{{ … }}` value before escaping it; markup that a macro
    produced is not a plain string and passes unchanged (its values were finalised inside).
    """
    if type(value) is not str:
        return value
    return _INVISIBLE.sub(_escape_code, value)


def _escape_code(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _thousands(number: int) -> str:
    return f"{number:,}"


# --------------------------------------------------------------------------------------------
# View objects: plain values for the template, every field present


@dataclass(frozen=True)
class Status:
    """A status as a coloured badge: its words and its colour class."""

    words: str
    css: str


@dataclass(frozen=True)
class Ref:
    """An id shown as code, linking to an element of the page when `anchor` is set."""

    id: str
    anchor: str | None


@dataclass(frozen=True)
class Link:
    """Text linking to a web page; `url` is None unless it is an http(s) URL."""

    text: str
    url: str | None


@dataclass(frozen=True)
class Count:
    number: str
    label: str


@dataclass(frozen=True)
class Excerpt:
    """Preformatted text, cut at MAX_BODY_CHARS; `total` is its length before the cut."""

    text: str
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.text)


@dataclass(frozen=True)
class Header:
    base_url: str
    proxy_url: str
    embedded: bool
    spec_version: str
    suite_name: str
    suite_version: str
    git_commit: str
    build: str
    run_id: str
    started: str
    finished: str
    duration: str
    host: str
    platform: str
    python: str
    transport: str
    transport_assured: bool
    unassured_transport: str
    asids: list[tuple[str, str]]
    run_error: str
    selection: str
    """The options the run's scenarios were chosen by ("" when it ran every scenario)."""


@dataclass(frozen=True)
class ScenarioRef:
    """A scenario named in the requirement matrix; `anchor` is None when it did not run."""

    id: str
    name: str
    anchor: str | None
    outcome: Status


@dataclass(frozen=True)
class Shortfall:
    """A scenario that found a requirement unmet: a link to its card, and what it found in one
    line (expected and observed, or else the scenario's message)."""

    scenario: ScenarioRef
    detail: str


@dataclass(frozen=True)
class Concern:
    """A requirement the verdict leads with: failed, warned or not tested. `shortfalls` are the
    first scenarios that found it unmet, `more` how many others did; `reason` says why a
    requirement was not tested."""

    ref: Ref
    level: str
    summary: str
    reason: str
    shortfalls: list[Shortfall]
    more: int


@dataclass(frozen=True)
class Untested:
    """Requirements left unevaluated for one reason (a run that stopped leaves many)."""

    reason: str
    requirements: list[Concern]


@dataclass(frozen=True)
class Verdict:
    text: str
    css: str
    reason: str
    requirement_counts: list[Count]
    scenario_counts: list[Count]
    failed: list[Concern]
    warnings: list[Concern]
    untested: list[Untested]
    manual: int


@dataclass(frozen=True)
class RequirementRow:
    ref: Ref
    level: str
    summary: str
    notes: str
    source: Link
    status: Status
    status_reason: str
    checked_by: list[ScenarioRef]

    @property
    def checked_tally(self) -> str:
        """How many scenarios check it, by outcome: "12 scenarios: 11 passed, 1 failed"."""
        tally: dict[str, int] = {}
        for ref in self.checked_by:
            tally[ref.outcome.words] = tally.get(ref.outcome.words, 0) + 1
        outcomes = ", ".join(f"{n} {words}" for words, n in tally.items())
        return f"{len(self.checked_by)} scenarios: {outcomes}"


@dataclass(frozen=True)
class Step:
    css: str
    mark: str
    status: str
    keyword: str
    text: str


@dataclass(frozen=True)
class Message:
    label: str
    css: str
    text: str


@dataclass(frozen=True)
class Finding:
    requirement: Ref
    level: str
    verdict: Status
    expected: str
    observed: str


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int | None
    detected_type: str


@dataclass(frozen=True)
class BinaryContent:
    """A Binary resource's redacted `content`: kept as a document digest, a digest of its
    base64 text, or absent (both None)."""

    content_type: str
    label: str
    digest: Digest | None
    text_chars: str
    text_sha256: str | None


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    coding: str
    diagnostics: str


@dataclass(frozen=True)
class Body:
    """A recorded body. `kind` picks what the template shows: empty, truncated, json, text,
    bytes or unknown; the other fields are those that kind uses."""

    kind: str
    form: str
    size: int | None
    sha256: str
    excerpt: Excerpt | None
    digest: Digest | None
    binary: BinaryContent | None
    issues: list[Issue] | None
    preview: Excerpt | None = None
    """The start of `excerpt` a card shows before its "Full exchange"; `total` is the length
    of `excerpt`."""


@dataclass(frozen=True)
class Jwt:
    """The decoded bearer token; `undecodable` says why it could not be decoded ("" if it was)."""

    undecodable: str
    header: Excerpt | None
    claims: Excerpt | None
    signature_chars: int


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    jwt: Jwt | None
    body: Body | None

    @property
    def target(self) -> str:
        """The URL with its query, as one line."""
        query = "&".join(f"{name}={value}" for name, value in self.query)
        return f"{self.url}?{query}" if query else self.url


@dataclass(frozen=True)
class Response:
    status: str
    http_version: str
    tls_version: str | None
    tls_cipher: str | None
    headers: list[tuple[str, str]]
    body: Body


@dataclass(frozen=True)
class Exchange:
    number: int
    request: Request
    response: Response | None
    started: str
    elapsed: str
    error: str


@dataclass(frozen=True)
class Probe:
    attempt: str
    connected: str
    handshake: str
    accepted: str
    version: str
    cipher: str
    detail: str


@dataclass(frozen=True)
class Evidence:
    open: bool
    exchanges: list[Exchange]
    probes: list[Probe]


@dataclass(frozen=True)
class Card:
    """One scenario's card."""

    anchor: str
    id: str
    name: str
    outcome: Status
    requirements: list[Ref]
    steps: list[Step]
    message: Message | None
    findings: list[Finding]
    evidence: Evidence


@dataclass(frozen=True)
class Feature:
    number: int
    name: str
    summary: str
    cards: list[Card]


@dataclass(frozen=True)
class NotTested:
    kind: str
    ref: Ref
    reason: str


@dataclass(frozen=True)
class Search:
    """One search of the discovery: what it asked for and what came of it."""

    kind: str
    asked: str
    answer: Status
    outcome: str
    notes: list[str]
    exchange: str
    """Where its exchange is in discovery.json (`exchanges[N]`), or ""."""


@dataclass(frozen=True)
class DocumentRow:
    """A document found by the discovery: how, what its attachment says, and its part."""

    provenance: str
    """NHS number N -> Patient P -> DocumentReference D -> Binary B."""
    title: str
    remarks: list[str]
    content_type: str
    size: int | None
    part: str
    part_reason: str
    url: str
    url_reason: str

    @property
    def chain(self) -> list[str]:
        """The provenance's links, for the page to break lines between them, not inside."""
        return self.provenance.split(" -> ")


@dataclass(frozen=True)
class PatientPath:
    """Everything the discovery did for one NHS number."""

    nhs_number: str
    searches: list[Search]
    documents: list[DocumentRow]


@dataclass(frozen=True)
class DiscoveryView:
    file: str
    tally: str
    """What was found, in numbers: "2 NHS numbers: 2 patients, 5 documents"."""
    stop_reason: str
    notes: list[str]
    paths: list[PatientPath]


@dataclass(frozen=True)
class Page:
    title: str
    listed_checks: int
    """A matrix row lists this many scenarios that check its requirement; more are folded."""
    header: Header
    verdict: Verdict
    discovery: DiscoveryView | None
    """None when the run was given no NHS number."""
    requirements: list[RequirementRow]
    features: list[Feature]
    not_tested: list[NotTested]


# --------------------------------------------------------------------------------------------
# Shaping the report into views


def page_view(report: Mapping[str, Any]) -> Page:
    """The report as the view objects the template reads."""
    scenarios = _list(report.get("scenarios"))
    requirements = _list(report.get("requirements"))
    anchors = _scenario_anchors(scenarios)
    first_anchor: dict[str, str] = {}
    for scenario, anchor in zip(scenarios, anchors, strict=True):
        first_anchor.setdefault(_str(scenario.get("id")), anchor)
    refs = _scenario_refs(scenarios, first_anchor)
    return Page(
        title=TITLE,
        listed_checks=MAX_LISTED_SCENARIOS,
        header=_header(report),
        verdict=_verdict(_mapping(report.get("verdict")), requirements, scenarios, refs),
        discovery=_discovery(report["discovery"]) if "discovery" in report else None,
        requirements=_requirement_rows(requirements, refs),
        features=_features(scenarios, anchors),
        not_tested=_not_tested(_list(report.get("not_tested")), requirements, first_anchor),
    )


def _str(value: object, default: str = "") -> str:
    """Any value as text; None (a key present but null) as `default`."""
    return default if value is None else str(value)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _strs(value: object) -> list[str]:
    return [_str(item) for item in value] if isinstance(value, list) else []


def _one_line(text: str) -> str:
    """`text` on one line, cut to MAX_DETAIL_CHARS."""
    line = _LINE_BREAKS.sub(" ", text).strip()
    return line if len(line) <= MAX_DETAIL_CHARS else line[: MAX_DETAIL_CHARS - 1] + "\u2026"


def _slug(text: str) -> str:
    return _SLUG_UNSAFE.sub("-", text.lower()).strip("-")


def _status(status: str) -> Status:
    return Status(status.replace("-", " "), _STATUS_CLASS.get(status, "none"))


def _req_ref(req_id: object) -> Ref:
    text = _str(req_id)
    return Ref(text, f"req-{_slug(text)}")


def _scenario_anchors(scenarios: Sequence[Mapping[str, Any]]) -> list[str]:
    """A unique element id for each scenario, in report order."""
    anchors: list[str] = []
    used: set[str] = set()
    for number, scenario in enumerate(scenarios, start=1):
        base = f"scenario-{_slug(_str(scenario.get('id'))) or number}"
        anchor, suffix = base, 2
        while anchor in used:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        used.add(anchor)
        anchors.append(anchor)
    return anchors


def _duration(started: object, finished: object) -> str:
    try:
        seconds = (
            datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
        ).total_seconds()
    except (TypeError, ValueError):
        return ""
    return f" ({seconds:,.1f} s)"


# 1. Header


def _header(report: Mapping[str, Any]) -> Header:
    provider = _mapping(report.get("provider"))
    run = _mapping(report.get("run"))
    suite = _mapping(report.get("suite"))
    asids = [
        (label, _str(provider[key]))
        for key, label in (("provider_asid", "Provider ASID"), ("consumer_asid", "Consumer ASID"))
        if key in provider
    ]
    return Header(
        base_url=_str(provider.get("base_url")) or "(no base URL)",
        proxy_url=_str(provider.get("proxy_url")),
        embedded=bool(provider.get("embedded_reference_provider")),
        spec_version=_str(report.get("spec_version")),
        suite_name=_str(suite.get("name", "gpc-assure")),
        suite_version=_str(suite.get("version")),
        git_commit=_str(suite.get("git_commit")),
        build=_str(suite.get("build")),
        run_id=_str(run.get("id")),
        started=_str(run.get("started_at")),
        finished=_str(run.get("finished_at")),
        duration=_duration(run.get("started_at"), run.get("finished_at")),
        host=_str(run.get("host")),
        platform=_str(run.get("platform")),
        python=_str(run.get("python")),
        transport=_str(provider.get("transport")),
        transport_assured=bool(provider.get("transport_assured", False)),
        unassured_transport=_str(provider.get("transport", "an unassured")),
        asids=asids,
        run_error=_str(run.get("error")),
        selection=_selection(_mapping(run.get("selection"))),
    )


def _selection(selection: Mapping[str, Any]) -> str:
    return selection_words(
        {
            "requirements": _strs(selection.get("requirements")),
            "families": _strs(selection.get("families")),
            "keyword": _str(selection.get("keyword")),
        }
    )


# 2. Verdict


def _verdict(
    verdict: Mapping[str, Any],
    requirements: Sequence[Mapping[str, Any]],
    scenarios: Sequence[Mapping[str, Any]],
    refs: Mapping[str, ScenarioRef],
) -> Verdict:
    status = _str(verdict.get("status", "incomplete"))
    text, css = _VERDICTS.get(status, (status, "warn"))
    counts = _mapping(verdict.get("counts"))
    scenario_totals = _mapping(counts.get("scenarios"))
    requirement_counts = [
        Count(_str(counts.get(key, 0)), label)
        for key, label in (
            ("must_passed", "MUST passed"),
            ("must_failed", "MUST failed"),
            ("should_passed", "SHOULD passed"),
            ("should_warnings", "SHOULD warnings"),
            ("not_tested", "not tested"),
            ("manual", "manual"),
            ("not_applicable", "not applicable"),
        )
    ]
    total = sum(int(scenario_totals.get(o, 0)) for o in _SCENARIO_OUTCOMES)
    scenario_counts = [Count(str(total), "scenarios")]
    scenario_counts += [Count(_str(scenario_totals.get(o, 0)), o) for o in _SCENARIO_OUTCOMES]

    def with_status(*statuses: str) -> list[Mapping[str, Any]]:
        return [r for r in requirements if _str(r.get("status")) in statuses]

    return Verdict(
        text=text,
        css=css,
        reason=_str(verdict.get("reason")),
        requirement_counts=requirement_counts,
        scenario_counts=scenario_counts,
        failed=[_concern(r, "failed", scenarios, refs) for r in with_status("failed")],
        warnings=[_concern(r, "warning", scenarios, refs) for r in with_status("warning")],
        untested=_untested(with_status("not-tested", "error"), refs),
        manual=len(with_status("manual")),
    )


def _untested(
    requirements: Sequence[Mapping[str, Any]], refs: Mapping[str, ScenarioRef]
) -> list[Untested]:
    """Untested requirements grouped by their reason, in the order the reasons first come."""
    groups: dict[str, list[Concern]] = {}
    for requirement in requirements:
        concern = _concern(requirement, "", [], refs)
        groups.setdefault(concern.reason, []).append(concern)
    return [Untested(reason, concerns) for reason, concerns in groups.items()]


def _concern(
    requirement: Mapping[str, Any],
    verdict: str,
    scenarios: Sequence[Mapping[str, Any]],
    refs: Mapping[str, ScenarioRef],
) -> Concern:
    """A requirement with the scenarios that found it `verdict` (failed or warning): those with
    such a finding, and those tagged with it whose outcome is `verdict`."""
    req_id = _str(requirement.get("id"))
    shortfalls: list[Shortfall] = []
    for scenario in scenarios:
        found = [
            f
            for f in _list(scenario.get("findings"))
            if _str(f.get("requirement")) == req_id and _str(f.get("verdict")) == verdict
        ]
        if found:
            detail = f"expected {_str(found[0].get('expected'))}; observed "
            detail += _str(found[0].get("observed"))
        elif req_id in _strs(scenario.get("requirements")) and scenario.get("outcome") == verdict:
            detail = _str(scenario.get("message")) or verdict
        else:
            continue
        shortfalls.append(Shortfall(refs[_str(scenario.get("id"))], _one_line(detail)))
    return Concern(
        ref=_req_ref(req_id),
        level=_str(requirement.get("level")),
        summary=_str(requirement.get("summary")),
        reason=_str(requirement.get("status_reason")),
        shortfalls=shortfalls[:MAX_LISTED_SCENARIOS],
        more=max(0, len(shortfalls) - MAX_LISTED_SCENARIOS),
    )


# 3. How the documents were found

_PARTS = {
    "ordinary": "ordinary",
    "large": "the large document",
    "set aside": "set aside",
    "none": "no part",
}


def _discovery(discovery: object) -> DiscoveryView:
    """The searches and documents, grouped by NHS number in the order they were searched."""
    section = _mapping(discovery)
    paths: dict[str, PatientPath] = {}

    def path(nhs_number: object) -> PatientPath:
        number = _str(nhs_number)
        return paths.setdefault(number, PatientPath(number, [], []))

    for number in _strs(section.get("nhs_numbers")):
        path(number)
    for step in _list(section.get("steps")):
        path(step.get("nhs_number")).searches.append(_search(step))
    for document in _list(section.get("documents")):
        path(document.get("nhs_number")).documents.append(_found(document))
    patients = len(_list(section.get("patients")))
    documents = len(_list(section.get("documents")))
    numbers = len(_strs(section.get("nhs_numbers"))) or len(paths)  # masked ones group as one
    tally = f"{_counted(numbers, 'NHS number')}: {_counted(patients, 'patient')}, "
    return DiscoveryView(
        file=_str(section.get("file")),
        tally=tally + _counted(documents, "document"),
        stop_reason=_str(section.get("stop_reason")),
        notes=_strs(section.get("notes")),
        paths=list(paths.values()),
    )


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _search(step: Mapping[str, Any]) -> Search:
    index = step.get("exchange_index")
    return Search(
        kind=_str(step.get("kind")),
        asked=_str(step.get("asked")),
        answer=Status("searchset", "good") if step.get("ok") is True else Status("failed", "bad"),
        outcome=_str(step.get("outcome")),
        notes=_strs(step.get("notes")),
        exchange=f"exchanges[{index}]" if isinstance(index, int) else "",
    )


def _found(document: Mapping[str, Any]) -> DocumentRow:
    part = _str(document.get("part"))
    size = document.get("size")
    if part == "oversize":
        words = "oversize: a placeholder"
        if document.get("binary_id") is not None:
            words += " whose url is asked for (404 NO_RECORD_FOUND expected)"
    else:
        words = _PARTS.get(part, part)
    return DocumentRow(
        provenance=_str(document.get("provenance")),
        title=_str(document.get("title")),
        remarks=_strs(document.get("remarks")),
        content_type=_str(document.get("content_type")),
        size=size if isinstance(size, int) else None,
        part=words,
        part_reason=_str(document.get("set_aside_because")),
        url=_str(document.get("url")),
        url_reason=_str(document.get("url_reason")),
    )


# 4. Requirement matrix


def _scenario_refs(
    scenarios: Sequence[Mapping[str, Any]], anchors: Mapping[str, str]
) -> dict[str, ScenarioRef]:
    """A link to each scenario's card with its outcome, by id; a name that several scenarios
    share is told apart by the example row in the id."""
    name_uses: dict[str, int] = {}
    for scenario in scenarios:
        name = _str(scenario.get("name"))
        name_uses[name] = name_uses.get(name, 0) + 1
    refs: dict[str, ScenarioRef] = {}
    for scenario in scenarios:
        scenario_id = _str(scenario.get("id"))
        name = _str(scenario.get("name")) or scenario_id
        if name_uses.get(name, 0) > 1:
            param = scenario_id.split("[", 1)[1].rstrip("]") if "[" in scenario_id else scenario_id
            name = f"{name} [{param}]"
        refs.setdefault(
            scenario_id,
            ScenarioRef(
                scenario_id, name, anchors[scenario_id], _status(_str(scenario.get("outcome")))
            ),
        )
    return refs


def _requirement_rows(
    requirements: Sequence[Mapping[str, Any]], refs: Mapping[str, ScenarioRef]
) -> list[RequirementRow]:
    rows = []
    for requirement in requirements:
        source = _mapping(requirement.get("source"))
        url = source.get("url")
        rows.append(
            RequirementRow(
                ref=_req_ref(requirement.get("id")),
                level=_str(requirement.get("level")),
                summary=_str(requirement.get("summary")),
                notes=_str(requirement.get("notes")),
                source=Link(
                    f"{_str(source.get('page'))} \u00a7 {_str(source.get('section'))}",
                    url if isinstance(url, str) and _WEB_LINK.match(url) else None,
                ),
                status=_status(_str(requirement.get("status", "not-tested"))),
                status_reason=_str(requirement.get("status_reason")),
                checked_by=[
                    refs.get(sid) or ScenarioRef(sid, sid, None, _status("not-run"))
                    for sid in _strs(requirement.get("scenarios"))
                ],
            )
        )
    return rows


# 5. Scenarios


def _features(scenarios: Sequence[Mapping[str, Any]], anchors: Sequence[str]) -> list[Feature]:
    grouped: dict[str, list[Card]] = {}
    tallies: dict[str, dict[str, int]] = {}
    for scenario, anchor in zip(scenarios, anchors, strict=True):
        feature = _str(scenario.get("feature"))
        outcome = _str(scenario.get("outcome"))
        grouped.setdefault(feature, []).append(_card(scenario, anchor))
        tally = tallies.setdefault(feature, {})
        tally[outcome] = tally.get(outcome, 0) + 1
    return [
        Feature(
            number=number,
            name=feature or "(unnamed)",
            summary=", ".join(
                f"{n} {outcome.replace('-', ' ')}" for outcome, n in tallies[feature].items()
            ),
            cards=cards,
        )
        for number, (feature, cards) in enumerate(grouped.items(), start=1)
    ]


def _card(scenario: Mapping[str, Any], anchor: str) -> Card:
    outcome = _str(scenario.get("outcome"))
    message = _str(scenario.get("message"))
    return Card(
        anchor=anchor,
        id=_str(scenario.get("id")),
        name=_str(scenario.get("name")),
        outcome=_status(outcome),
        requirements=[_req_ref(r) for r in scenario.get("requirements", [])],
        steps=[_step(s) for s in _list(scenario.get("steps"))],
        message=(
            Message(_MESSAGE_LABELS[outcome], _STATUS_CLASS.get(outcome, "none"), message)
            if outcome in _MESSAGE_LABELS and message
            else None
        ),
        findings=[
            Finding(
                requirement=_req_ref(f.get("requirement")),
                level=_str(f.get("level")),
                verdict=_status(_str(f.get("verdict"))),
                expected=_str(f.get("expected")),
                observed=_str(f.get("observed")),
            )
            for f in _list(scenario.get("findings"))
        ],
        evidence=_evidence(
            outcome, _list(scenario.get("exchanges")), _list(scenario.get("tls_probes"))
        ),
    )


def _step(step: Mapping[str, Any]) -> Step:
    status = _str(step.get("status", "not-run"))
    return Step(
        css=f"step-{_slug(status)}",
        mark=_STEP_MARKS.get(status, "\u2013"),
        status=status.replace("-", " "),
        keyword=_str(step.get("keyword")),
        text=_str(step.get("text")),
    )


def _evidence(
    outcome: str, exchanges: Sequence[Mapping[str, Any]], probes: Sequence[Mapping[str, Any]]
) -> Evidence:
    return Evidence(
        open=outcome in _OPEN_EVIDENCE,
        exchanges=[_exchange(n, x) for n, x in enumerate(exchanges, start=1)],
        probes=[_probe(p) for p in probes],
    )


def _exchange(number: int, exchange: Mapping[str, Any]) -> Exchange:
    response = exchange.get("response")
    elapsed = exchange.get("elapsed_ms")
    return Exchange(
        number=number,
        request=_request(_mapping(exchange.get("request"))),
        response=_response(response) if isinstance(response, Mapping) else None,
        started=_str(exchange.get("started_at")),
        elapsed=f"{elapsed:,.1f} ms" if isinstance(elapsed, int | float) else str(elapsed),
        error=_str(exchange.get("error")),
    )


def _pairs(rows: object) -> list[tuple[str, str]]:
    """Headers or query parameters: a name and its values, joined by commas."""
    if not isinstance(rows, list):
        return []
    return [
        (_str(row[0]) if row else "", ", ".join(_str(v) for v in row[1:]))
        for row in rows
        if isinstance(row, list)
    ]


def _request(request: Mapping[str, Any]) -> Request:
    jwt = request.get("jwt")
    return Request(
        method=_str(request.get("method")),
        url=_str(request.get("url")),
        query=_pairs(request.get("query")),
        headers=_pairs(request.get("headers")),
        jwt=_jwt(jwt) if isinstance(jwt, Mapping) else None,
        body=body_view(_mapping(request["body"])) if "body" in request else None,
    )


def _jwt(jwt: Mapping[str, Any]) -> Jwt:
    if not jwt.get("decoded"):
        return Jwt(_str(jwt.get("reason", "no reason given")), None, None, 0)
    return Jwt(
        undecodable="",
        header=_excerpt(_pretty(jwt.get("header"))),
        claims=_excerpt(_pretty(jwt.get("claims"))),
        signature_chars=len(_str(jwt.get("signature"))),
    )


def _response(response: Mapping[str, Any]) -> Response:
    tls = response.get("tls")
    tls = tls if isinstance(tls, Mapping) and tls else None
    return Response(
        status=_str(response.get("status")),
        http_version=_str(response.get("http_version")),
        tls_version=_str(tls.get("version")) if tls else None,
        tls_cipher=_str(tls.get("cipher")) if tls else None,
        headers=_pairs(response.get("headers")),
        body=body_view(_mapping(response.get("body"))),
    )


def body_view(body: Mapping[str, Any]) -> Body:
    """A recorded body (request or response) shaped for the page, its text cut to a bound, and
    the start of that text a card shows first."""
    view = _body_by_kind(body)
    return replace(view, preview=_preview(view.excerpt)) if view.excerpt is not None else view


def _body_by_kind(body: Mapping[str, Any]) -> Body:
    form = body.get("format")
    size = body.get("size")
    view = Body(
        kind="unknown",
        form=_str(form).upper(),
        size=size if isinstance(size, int) else None,
        sha256=_str(body.get("sha256")),
        excerpt=None,
        digest=None,
        binary=None,
        issues=None,
    )
    if form == "empty":
        return replace(view, kind="empty")
    if body.get("truncated"):
        return replace(view, kind="truncated", excerpt=_excerpt(_str(body.get("excerpt"))))
    if form == "json":
        value = body.get("json")
        resource = _mapping(value)
        return replace(
            view,
            kind="json",
            excerpt=_excerpt(_pretty(value)),
            binary=_binary(resource) if resource.get("resourceType") == "Binary" else None,
            issues=(
                _issues(resource) if resource.get("resourceType") == "OperationOutcome" else None
            ),
        )
    if form in ("xml", "text"):
        text = body.get("text")
        return replace(view, kind="text", excerpt=_excerpt(text if isinstance(text, str) else ""))
    if form == "bytes":
        return replace(view, kind="bytes", digest=_digest(body))
    return replace(view, excerpt=_excerpt(_pretty(body)))


def _excerpt(text: str) -> Excerpt:
    return Excerpt(text[:MAX_BODY_CHARS], len(text))


def _preview(excerpt: Excerpt) -> Excerpt:
    """The first PREVIEW_LINES lines of an excerpt, at most PREVIEW_CHARS characters."""
    lines = excerpt.text.split("\n", PREVIEW_LINES)[:PREVIEW_LINES]
    return Excerpt("\n".join(lines)[:PREVIEW_CHARS], len(excerpt.text))


def _pretty(value: object) -> str:
    """Indented JSON, unless indenting would amplify a deeply nested value: then compact."""
    if _deeper_than(value, PRETTY_MAX_DEPTH):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _deeper_than(value: object, depth: int) -> bool:
    """Whether `value` nests containers more than `depth` levels (checked without recursion)."""
    level = [value] if isinstance(value, Mapping | list) else []
    for _ in range(depth):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, Mapping) else node)
            if isinstance(child, Mapping | list)
        ]
    return bool(level)


def _digest(digest: Mapping[str, Any]) -> Digest:
    size = digest.get("size")
    return Digest(
        sha256=_str(digest.get("sha256")),
        size=size if isinstance(size, int) else None,
        detected_type=_str(digest.get("detected_type", "unknown")),
    )


def _binary(binary: Mapping[str, Any]) -> BinaryContent:
    content = _mapping(binary.get("content"))
    return BinaryContent(
        content_type=_str(binary.get("contentType", "(none)")),
        label=_str(
            content.get("redacted", "document content" if "sha256" in content else "content")
        ),
        digest=_digest(content) if "sha256" in content else None,
        text_chars=_str(content.get("base64_chars", "?")),
        text_sha256=_str(content["sha256_of_text"]) if "sha256_of_text" in content else None,
    )


def _issues(outcome: Mapping[str, Any]) -> list[Issue]:
    """An OperationOutcome's issues, each with its Spine codings as "code (display)"."""
    issues = []
    for issue in _list(outcome.get("issue")):
        codings = _list(_mapping(issue.get("details")).get("coding"))
        issues.append(
            Issue(
                severity=_str(issue.get("severity")),
                code=_str(issue.get("code")),
                coding=", ".join(
                    f"{_str(c.get('code'))} ({_str(c.get('display'))})" for c in codings
                ),
                diagnostics=_str(issue.get("diagnostics")),
            )
        )
    return issues


def _probe(probe: Mapping[str, Any]) -> Probe:
    return Probe(
        attempt=_str(probe.get("attempt")),
        connected=_yes_no(probe.get("connected")),
        handshake=_yes_no(probe.get("handshake")),
        accepted=_yes_no(probe.get("accepted")),
        version=_str(probe.get("tls_version", probe.get("version"))) or "\u2013",
        cipher=_str(probe.get("cipher")) or "\u2013",
        detail=_str(probe.get("detail")),
    )


def _yes_no(value: object) -> str:
    if value is None:
        return "\u2013"
    return "yes" if value else "no"


# 6. Not tested


def _not_tested(
    items: Sequence[Mapping[str, Any]],
    requirements: Sequence[Mapping[str, Any]],
    anchors: Mapping[str, str],
) -> list[NotTested]:
    known = {_str(r.get("id")) for r in requirements}
    rows = []
    for item in items:
        item_id, kind = _str(item.get("id")), _str(item.get("kind"))
        if kind == "requirement" and item_id in known:
            ref = _req_ref(item_id)
        else:
            ref = Ref(item_id, anchors.get(item_id) if kind == "scenario" else None)
        rows.append(NotTested(kind, ref, _str(item.get("reason"))))
    return rows
