"""The assurance report as one self-contained HTML page, for accreditation reviewers.

Input is the document described by ``schemas/assurance-report.schema.json``. Every string in
it may come from the provider, so every string is escaped. The page has no script, no
external resource and no ``src`` attribute; its only outbound links go to specification pages.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

__all__ = ["MAX_BODY_CHARS", "TITLE", "render_html"]

TITLE = "GP Connect Access Document \u2014 Retrieve a document: assurance report"
MAX_BODY_CHARS = 64 * 1024
PRETTY_MAX_DEPTH = 32

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
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_WEB_LINK = re.compile(r"https?://", re.IGNORECASE)

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 80rem; padding: 1rem 1.5rem 3rem; color: #212b32;
  background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem;
  border-bottom: 2px solid #d8dde0; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h4 { font-size: 1.05rem; margin: 0 0 0.5rem; }
h5 { font-size: 0.95rem; margin: 0.75rem 0 0.25rem; }
a { color: #005eb8; }
a:focus { outline: 3px solid #ffeb3b; background: #ffeb3b; color: #212b32; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.85rem; }
pre { background: #f0f4f5; border: 1px solid #d8dde0; padding: 0.5rem; margin: 0.25rem 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.25rem 0 0.75rem; }
th, td { border: 1px solid #d8dde0; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: #f0f4f5; }
table.facts th { width: 14rem; }
table.headers td:first-child { white-space: nowrap; overflow-wrap: normal; width: 1%; }
table.matrix th[scope='row'], table.matrix td:nth-child(2) { white-space: nowrap;
  overflow-wrap: normal; }
.small { font-size: 0.85rem; color: #4c6272; }
.note { font-size: 0.85rem; color: #4c6272; margin-top: 0.25rem; }
.alert { border: 3px solid #d5281b; background: #fde8e6; padding: 0.75rem 1rem;
  margin: 1rem 0; font-weight: 600; }
.badge { display: inline-block; padding: 0.05rem 0.45rem; border: 1px solid;
  border-radius: 0.25rem; font-size: 0.85rem; font-weight: 600; white-space: nowrap; }
.good { background: #e6f4ea; color: #00401e; border-color: #00703c; }
.bad { background: #fde8e6; color: #8a1a11; border-color: #d5281b; }
.warn { background: #fff4d6; color: #5c3d00; border-color: #b27a00; }
.info { background: #e8f1fa; color: #003366; border-color: #005eb8; }
.none { background: #f0f4f5; color: #3d4a54; border-color: #768692; }
.verdict { display: inline-block; font-size: 1.8rem; font-weight: 700; padding: 0.4rem 1.2rem;
  border: 3px solid; border-radius: 0.4rem; }
.verdict.good { background: #00703c; color: #fff; }
.verdict.bad { background: #d5281b; color: #fff; }
.verdict.warn { background: #ffb81c; color: #212b32; }
.counts { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 1rem 0; padding: 0; }
.counts li { list-style: none; border: 1px solid #d8dde0; padding: 0.4rem 0.75rem; }
.counts b { display: block; font-size: 1.3rem; }
.toc { font-size: 0.9rem; }
.scenario { border: 1px solid #aeb7bd; border-left-width: 6px; padding: 0.75rem 1rem;
  margin: 0 0 1rem; }
.card-good { border-left-color: #00703c; }
.card-bad { border-left-color: #d5281b; }
.card-warn { border-left-color: #b27a00; }
.card-none, .card-info { border-left-color: #768692; }
.steps { list-style: none; padding: 0; margin: 0.25rem 0 0.5rem; }
.steps li { padding: 0.1rem 0; }
.mark { display: inline-block; width: 1.4rem; font-weight: 700; }
.step-passed .mark { color: #00703c; }
.step-failed .mark { color: #d5281b; }
.step-skipped, .step-not-run { color: #4c6272; }
.keyword { font-weight: 600; }
.message { border-left: 4px solid; padding: 0.4rem 0.75rem; margin: 0.5rem 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
details.evidence { margin-top: 0.5rem; }
details.evidence > summary { cursor: pointer; font-weight: 600; }
.exchange { border-top: 1px dashed #aeb7bd; margin-top: 0.75rem; padding-top: 0.5rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; }
  .toc { display: none; }
  .scenario, tr, .alert, .counts li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  pre { border-color: #aeb7bd; }
}
"""


def render_html(report: Mapping[str, Any]) -> str:
    """The whole assurance report as one self-contained HTML5 page."""
    scenarios: Sequence[Mapping[str, Any]] = report.get("scenarios", [])
    cards = list(zip(scenarios, _scenario_anchors(scenarios), strict=True))
    anchors: dict[str, str] = {}
    for scenario, anchor in cards:
        anchors.setdefault(str(scenario.get("id", "")), anchor)
    parts = [
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n",
        f"<title>{_e(TITLE)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        _header(report),
        _verdict(report.get("verdict", {})),
        _requirement_matrix(report.get("requirements", []), scenarios, anchors),
        _scenario_sections(cards),
        _not_tested(report.get("not_tested", []), report.get("requirements", []), anchors),
        "</body>\n</html>\n",
    ]
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Small pieces


def _e(value: object) -> str:
    """Any value as escaped HTML text (None as an empty string)."""
    return "" if value is None else escape(str(value), quote=True)


def _slug(text: str) -> str:
    return _SLUG_UNSAFE.sub("-", text.lower()).strip("-")


def _words(status: str) -> str:
    """A status in words: "not-tested" becomes "not tested"."""
    return status.replace("-", " ")


def _badge(status: str) -> str:
    """A status as coloured text."""
    return f"<span class='badge {_STATUS_CLASS.get(status, 'none')}'>{_e(_words(status))}</span>"


def _table(headings: Sequence[str], rows: Iterable[Sequence[str]], css_class: str = "") -> str:
    """A table; cells are already HTML, headings are plain text."""
    head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    table = f"<table class='{css_class}'>" if css_class else "<table>"
    return f"{table}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of labels and (already HTML) values."""
    body = "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='facts'><tbody>{body}</tbody></table>\n"


def _pre(text: str) -> str:
    """Preformatted text, cut at MAX_BODY_CHARS with a note saying so."""
    if len(text) <= MAX_BODY_CHARS:
        return f"<pre>{escape(text, quote=False)}</pre>"
    note = (
        f"<p class='note'>Truncated: showing the first {MAX_BODY_CHARS:,} of "
        f"{len(text):,} characters.</p>"
    )
    return f"<pre>{escape(text[:MAX_BODY_CHARS], quote=False)}</pre>{note}"


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


def _link(url: object, text: str) -> str:
    """A link to a web page; anything but an http(s) URL stays plain text."""
    if isinstance(url, str) and _WEB_LINK.match(url):
        return f"<a href='{_e(url)}'>{_e(text)}</a>"
    return _e(text)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _duration(started: object, finished: object) -> str:
    try:
        seconds = (
            datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
        ).total_seconds()
    except (TypeError, ValueError):
        return ""
    return f" ({seconds:,.1f} s)"


def _scenario_anchors(scenarios: Sequence[Mapping[str, Any]]) -> list[str]:
    """A unique element id for each scenario, in report order."""
    anchors: list[str] = []
    used: set[str] = set()
    for number, scenario in enumerate(scenarios, start=1):
        base = f"scenario-{_slug(str(scenario.get('id', ''))) or number}"
        anchor, suffix = base, 2
        while anchor in used:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        used.add(anchor)
        anchors.append(anchor)
    return anchors


def _req_anchor(req_id: object) -> str:
    return f"req-{_slug(str(req_id))}"


# --------------------------------------------------------------------------------------------
# 1. Header


def _header(report: Mapping[str, Any]) -> str:
    provider: Mapping[str, Any] = report.get("provider", {})
    run: Mapping[str, Any] = report.get("run", {})
    suite: Mapping[str, Any] = report.get("suite", {})
    facts = [
        ("Provider endpoint", _endpoint(provider)),
        ("Specification version", _e(report.get("spec_version", ""))),
        ("Suite", _suite(suite)),
        ("Run id", f"<code>{_e(run.get('id', ''))}</code>"),
        ("Started", _e(run.get("started_at", ""))),
        (
            "Finished",
            _e(run.get("finished_at", ""))
            + _e(_duration(run.get("started_at"), run.get("finished_at"))),
        ),
        ("Host", _e(run.get("host", ""))),
        ("Platform", _e(run.get("platform", ""))),
        ("Python", _e(run.get("python", ""))),
        ("Transport", _e(provider.get("transport", ""))),
    ]
    for key, label in (("provider_asid", "Provider ASID"), ("consumer_asid", "Consumer ASID")):
        if key in provider:
            facts.append((label, f"<code>{_e(provider[key])}</code>"))
    return (
        f"<header>\n<h1>{_e(TITLE)}</h1>\n{_alerts(provider, run)}{_facts(facts)}{_toc()}"
        "</header>\n"
    )


def _endpoint(provider: Mapping[str, Any]) -> str:
    lines = [f"<code>{_e(provider.get('base_url') or '(no base URL)')}</code>"]
    if provider.get("proxy_url"):
        lines.append(f"via proxy <code>{_e(provider['proxy_url'])}</code>")
    if provider.get("embedded_reference_provider"):
        lines.append("<strong>embedded reference provider</strong>")
    return "<br>".join(lines)


def _suite(suite: Mapping[str, Any]) -> str:
    commit = suite.get("git_commit")
    where = f"commit <code>{_e(commit)}</code>" if commit else "not run from a git checkout"
    return f"{_e(suite.get('name', 'gpc-assure'))} {_e(suite.get('version', ''))}, {where}"


def _alerts(provider: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    alerts: list[str] = []
    if not provider.get("transport_assured", False):
        alerts.append(
            "<div class='alert' role='alert'><strong>Warning: transport security was NOT "
            f"assured.</strong> This run used {_e(provider.get('transport', 'an unassured'))} "
            "transport, so nothing in this report shows that the provider meets the transport "
            "security requirements.</div>\n"
        )
    if run.get("error"):
        alerts.append(
            "<div class='alert' role='alert'>The run could not evaluate the provider: "
            f"{_e(run['error'])}</div>\n"
        )
    return "".join(alerts)


def _toc() -> str:
    links = (
        ("verdict", "Verdict"),
        ("requirements", "Requirement matrix"),
        ("scenarios", "Scenarios"),
        ("not-tested", "Not tested"),
    )
    items = " | ".join(f"<a href='#{a}'>{t}</a>" for a, t in links)
    return f"<nav class='toc' aria-label='Contents'><p>{items}</p></nav>\n"


# --------------------------------------------------------------------------------------------
# 2. Verdict


def _verdict(verdict: Mapping[str, Any]) -> str:
    status = str(verdict.get("status", "incomplete"))
    text, css = _VERDICTS.get(status, (status, "warn"))
    counts: Mapping[str, Any] = verdict.get("counts", {})
    scenarios: Mapping[str, Any] = counts.get("scenarios", {})
    requirement_counts = [
        ("MUST passed", counts.get("must_passed", 0)),
        ("MUST failed", counts.get("must_failed", 0)),
        ("SHOULD passed", counts.get("should_passed", 0)),
        ("SHOULD warnings", counts.get("should_warnings", 0)),
        ("not tested", counts.get("not_tested", 0)),
        ("manual", counts.get("manual", 0)),
        ("not applicable", counts.get("not_applicable", 0)),
    ]
    outcomes = ("passed", "failed", "warning", "skipped", "error")
    scenario_counts = [("scenarios", sum(int(scenarios.get(o, 0)) for o in outcomes))]
    scenario_counts += [(o, scenarios.get(o, 0)) for o in outcomes]
    return (
        "<section id='verdict' aria-labelledby='verdict-h'>\n"
        "<h2 id='verdict-h'>Verdict</h2>\n"
        f"<p><span class='verdict {css}'>{_e(text)}</span></p>\n"
        f"<p>{_e(verdict.get('reason', ''))}</p>\n"
        f"<h3>Requirements</h3>\n{_count_list(requirement_counts)}"
        f"<h3>Scenarios</h3>\n{_count_list(scenario_counts)}"
        "</section>\n"
    )


def _count_list(counts: Sequence[tuple[str, object]]) -> str:
    items = "".join(f"<li><b>{_e(n)}</b> {_e(label)}</li>" for label, n in counts)
    return f"<ul class='counts'>{items}</ul>\n"


# --------------------------------------------------------------------------------------------
# 3. Requirement matrix


def _requirement_matrix(
    requirements: Sequence[Mapping[str, Any]],
    scenarios: Sequence[Mapping[str, Any]],
    anchors: Mapping[str, str],
) -> str:
    by_id = {str(s.get("id", "")): s for s in scenarios}
    name_uses: dict[str, int] = {}
    for scenario in scenarios:
        name = str(scenario.get("name", ""))
        name_uses[name] = name_uses.get(name, 0) + 1
    rows = "".join(_requirement_row(r, by_id, anchors, name_uses) for r in requirements)
    headings = ("Requirement", "Level", "Paraphrase", "Source", "Status", "Checked by")
    head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in headings)
    return (
        "<section id='requirements' aria-labelledby='requirements-h'>\n"
        "<h2 id='requirements-h'>Requirement matrix</h2>\n"
        f"<table class='matrix'><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table>\n"
        "</section>\n"
    )


def _requirement_row(
    requirement: Mapping[str, Any],
    by_id: Mapping[str, Mapping[str, Any]],
    anchors: Mapping[str, str],
    name_uses: Mapping[str, int],
) -> str:
    req_id = requirement.get("id", "")
    source: Mapping[str, Any] = requirement.get("source", {})
    status = str(requirement.get("status", "not-tested"))
    summary = _e(requirement.get("summary", ""))
    if requirement.get("notes"):
        summary += f"<div class='note'>Note: {_e(requirement['notes'])}</div>"
    status_cell = _badge(status)
    if requirement.get("status_reason"):
        status_cell += f"<div class='note'>{_e(requirement['status_reason'])}</div>"
    checks = "<br>".join(
        _scenario_ref(str(sid), by_id, anchors, name_uses)
        for sid in requirement.get("scenarios", [])
    )
    source_text = f"{source.get('page', '')} \u00a7 {source.get('section', '')}"
    cells = (
        f"<th scope='row' id='{_req_anchor(req_id)}'><code>{_e(req_id)}</code></th>",
        f"<td>{_e(requirement.get('level', ''))}</td>",
        f"<td>{summary}</td>",
        f"<td>{_link(source.get('url'), source_text)}</td>",
        f"<td>{status_cell}</td>",
        f"<td>{checks or '<span class=small>none</span>'}</td>",
    )
    return "<tr>" + "".join(cells) + "</tr>\n"


def _scenario_ref(
    scenario_id: str,
    by_id: Mapping[str, Mapping[str, Any]],
    anchors: Mapping[str, str],
    name_uses: Mapping[str, int],
) -> str:
    """A link to a scenario card, with the scenario's outcome."""
    scenario = by_id.get(scenario_id)
    if scenario is None:
        return f"<code>{_e(scenario_id)}</code> <span class='small'>(not run)</span>"
    name = str(scenario.get("name", "")) or scenario_id
    if name_uses.get(name, 0) > 1:
        param = scenario_id.split("[", 1)[1].rstrip("]") if "[" in scenario_id else scenario_id
        name = f"{name} [{param}]"
    outcome = str(scenario.get("outcome", ""))
    return f"<a href='#{anchors[scenario_id]}'>{_e(name)}</a> {_badge(outcome)}"


# --------------------------------------------------------------------------------------------
# 4. Scenarios


def _scenario_sections(cards: Sequence[tuple[Mapping[str, Any], str]]) -> str:
    features: dict[str, list[tuple[Mapping[str, Any], str]]] = {}
    for scenario, anchor in cards:
        features.setdefault(str(scenario.get("feature", "")), []).append((scenario, anchor))
    parts = [
        "<section id='scenarios' aria-labelledby='scenarios-h'>\n",
        "<h2 id='scenarios-h'>Scenarios</h2>\n",
    ]
    if not cards:
        parts.append("<p>No scenario ran.</p>\n")
    for number, (feature, members) in enumerate(features.items(), start=1):
        parts.append(_feature(number, feature, members))
    parts.append("</section>\n")
    return "".join(parts)


def _feature(number: int, feature: str, members: Sequence[tuple[Mapping[str, Any], str]]) -> str:
    tally: dict[str, int] = {}
    for scenario, _ in members:
        outcome = str(scenario.get("outcome", ""))
        tally[outcome] = tally.get(outcome, 0) + 1
    summary = ", ".join(f"{n} {_words(outcome)}" for outcome, n in tally.items())
    cards = "".join(_scenario_card(scenario, anchor) for scenario, anchor in members)
    return (
        f"<section class='feature' id='feature-{number}'>\n"
        f"<h3>Feature: {_e(feature or '(unnamed)')}</h3>\n"
        f"<p class='small'>{_e(_count(len(members), 'scenario'))}: {_e(summary)}</p>\n"
        f"{cards}</section>\n"
    )


def _scenario_card(scenario: Mapping[str, Any], anchor: str) -> str:
    outcome = str(scenario.get("outcome", ""))
    css = _STATUS_CLASS.get(outcome, "none")
    requirements = ", ".join(
        f"<a href='#{_req_anchor(r)}'><code>{_e(r)}</code></a>"
        for r in scenario.get("requirements", [])
    )
    parts = [
        f"<article class='scenario card-{css}' id='{anchor}'>\n",
        f"<h4>{_e(scenario.get('name', ''))} {_badge(outcome)}</h4>\n",
        f"<p class='small'>Requirements: {requirements or 'none'}<br>",
        f"Scenario id: <code>{_e(scenario.get('id', ''))}</code></p>\n",
        _steps(scenario.get("steps", [])),
        _message(outcome, str(scenario.get("message", ""))),
        _findings(scenario.get("findings", [])),
        _evidence(outcome, scenario.get("exchanges", []), scenario.get("tls_probes", [])),
        "</article>\n",
    ]
    return "".join(parts)


def _steps(steps: Sequence[Mapping[str, Any]]) -> str:
    if not steps:
        return ""
    items = []
    for step in steps:
        status = str(step.get("status", "not-run"))
        mark = _STEP_MARKS.get(status, "\u2013")
        items.append(
            f"<li class='step-{_slug(status)}'><span class='mark' aria-hidden='true'>{mark}"
            f"</span><span class='sr'>{_e(_words(status))}: </span>"
            f"<span class='keyword'>{_e(step.get('keyword', ''))}</span> "
            f"{_e(step.get('text', ''))}</li>\n"
        )
    return f"<ol class='steps'>\n{''.join(items)}</ol>\n"


def _message(outcome: str, message: str) -> str:
    if outcome not in _MESSAGE_LABELS or not message:
        return ""
    css = _STATUS_CLASS.get(outcome, "none")
    return (
        f"<div class='message {css}'><strong>{_MESSAGE_LABELS[outcome]}:</strong> "
        f"{_e(message)}</div>\n"
    )


def _findings(findings: Sequence[Mapping[str, Any]]) -> str:
    if not findings:
        return ""
    rows = [
        (
            f"<a href='#{_req_anchor(f.get('requirement', ''))}'>"
            f"<code>{_e(f.get('requirement', ''))}</code></a>",
            _e(f.get("level", "")),
            _badge(str(f.get("verdict", ""))),
            _e(f.get("expected", "")),
            _e(f.get("observed", "")),
        )
        for f in findings
    ]
    headings = ("Requirement", "Level", "Verdict", "Expected", "Observed")
    return "<h5>Findings</h5>\n" + _table(headings, rows)


def _evidence(
    outcome: str, exchanges: Sequence[Mapping[str, Any]], probes: Sequence[Mapping[str, Any]]
) -> str:
    if not exchanges and not probes:
        return "<p class='small'>No exchanges or TLS probes were recorded.</p>\n"
    counted = [_count(len(exchanges), "exchange")] if exchanges else []
    if probes:
        counted.append(_count(len(probes), "TLS probe"))
    is_open = " open" if outcome in _OPEN_EVIDENCE else ""
    body = "".join(_exchange(n, x) for n, x in enumerate(exchanges, start=1))
    return (
        f"<details class='evidence'{is_open}><summary>Evidence: {', '.join(counted)}</summary>\n"
        f"{body}{_probes(probes)}</details>\n"
    )


def _exchange(number: int, exchange: Mapping[str, Any]) -> str:
    request: Mapping[str, Any] = exchange.get("request", {})
    response: Mapping[str, Any] | None = exchange.get("response")
    outcome = _e(response.get("status", "")) if response is not None else "no response"
    parts = [
        "<div class='exchange'>\n",
        f"<h5>Exchange {number}: {_e(request.get('method', ''))} "
        f"<code>{_e(request.get('url', ''))}</code> \u2192 {outcome}</h5>\n",
        f"<p class='small'>Started {_e(exchange.get('started_at', ''))}; "
        f"elapsed {_e(_elapsed(exchange.get('elapsed_ms')))}</p>\n",
        _request(request),
    ]
    if response is not None:
        parts.append(_response(response))
    if exchange.get("error"):
        parts.append(
            f"<div class='message bad'><strong>Transport error:</strong> "
            f"{_e(exchange['error'])}</div>\n"
        )
    parts.append("</div>\n")
    return "".join(parts)


def _elapsed(value: object) -> str:
    if isinstance(value, int | float):
        return f"{value:,.1f} ms"
    return str(value)


def _request(request: Mapping[str, Any]) -> str:
    parts = [
        "<p><strong>Request</strong></p>\n",
        _facts(
            [
                ("Method", _e(request.get("method", ""))),
                ("URL", f"<code>{_e(request.get('url', ''))}</code>"),
            ]
        ),
    ]
    query = request.get("query", [])
    if query:
        rows = [(_e(q[0] if q else ""), _e(", ".join(q[1:]))) for q in query]
        parts.append(_table(("Query parameter", "Value"), rows))
    parts.append(_headers(request.get("headers", []), "Request headers"))
    parts.append(_jwt(request.get("jwt")))
    if "body" in request:
        parts.append(f"<p>Request body:</p>\n{_body(request['body'])}")
    return "".join(parts)


def _headers(headers: Sequence[Sequence[str]], caption: str) -> str:
    if not headers:
        return f"<p class='small'>{_e(caption)}: none.</p>\n"
    rows = [(f"<code>{_e(h[0] if h else '')}</code>", _e(", ".join(h[1:]))) for h in headers]
    return _table((caption, "Value"), rows, "headers")


def _jwt(jwt: Mapping[str, Any] | None) -> str:
    if jwt is None:
        return "<p class='small'>No Authorization header, so no JWT.</p>\n"
    if not jwt.get("decoded"):
        return f"<p>JWT could not be decoded: {_e(jwt.get('reason', 'no reason given'))}</p>\n"
    signature = str(jwt.get("signature", ""))
    signed = f"{len(signature)} characters" if signature else "empty (unsigned token)"
    return (
        f"<p>JWT header:</p>\n{_pre(_pretty(jwt.get('header')))}\n"
        f"<p>JWT claims:</p>\n{_pre(_pretty(jwt.get('claims')))}\n"
        f"<p class='small'>JWT signature: {signed}.</p>\n"
    )


def _response(response: Mapping[str, Any]) -> str:
    facts = [
        ("Status", _e(response.get("status", ""))),
        ("HTTP version", _e(response.get("http_version", ""))),
    ]
    tls = response.get("tls")
    if isinstance(tls, Mapping) and tls:
        facts.append(("TLS version", _e(tls.get("version", ""))))
        facts.append(("TLS cipher", _e(tls.get("cipher", ""))))
    return (
        "<p><strong>Response</strong></p>\n"
        + _facts(facts)
        + _headers(response.get("headers", []), "Response headers")
        + f"<p>Response body:</p>\n{_body(response.get('body', {}))}"
    )


def _body(body: Mapping[str, Any]) -> str:
    form = body.get("format")
    size = body.get("size")
    if form == "empty":
        return "<p class='small'>Empty body.</p>\n"
    if body.get("truncated"):
        return (
            f"<p class='small'>{_e(str(form).upper())}, {_size(size)}, SHA-256 "
            f"<code>{_e(body.get('sha256', ''))}</code>; too large to keep whole: the first "
            "characters of its redacted form</p>\n"
            f"{_pre(str(body.get('excerpt', '')))}\n"
        )
    if form == "json":
        return _json_body(body.get("json"), size)
    if form in ("xml", "text"):
        return f"<p class='small'>{_e(form.upper())}, {_size(size)}</p>\n{_pre(_text(body))}\n"
    if form == "bytes":
        return f"<p>Binary body: {_digest(body)}</p>\n"
    return f"<p>Body in an unknown format:</p>\n{_pre(_pretty(body))}\n"


def _size(size: object) -> str:
    return f"{size:,} bytes" if isinstance(size, int) else "size not recorded"


def _text(body: Mapping[str, Any]) -> str:
    text = body.get("text")
    return text if isinstance(text, str) else ""


def _json_body(value: Any, size: object) -> str:
    lead = f"<p class='small'>JSON, {_size(size)}</p>\n"
    if isinstance(value, Mapping) and value.get("resourceType") == "Binary":
        lead += _binary_summary(value)
    if isinstance(value, Mapping) and value.get("resourceType") == "OperationOutcome":
        lead += _outcome_summary(value)
    return f"{lead}{_pre(_pretty(value))}\n"


def _binary_summary(binary: Mapping[str, Any]) -> str:
    content = binary.get("content")
    if isinstance(content, Mapping) and "sha256" in content:
        return f"<p>Binary contentType {_e(binary.get('contentType', '(none)'))}; " + (
            f"{_e(content.get('redacted', 'document content'))}: {_digest(content)}</p>\n"
        )
    if isinstance(content, Mapping) and "sha256_of_text" in content:
        return (
            f"<p>{_e(content.get('redacted', 'content'))}: "
            f"{_e(content.get('base64_chars', '?'))} characters, "
            f"SHA-256 of the text <code>{_e(content.get('sha256_of_text', ''))}</code></p>\n"
        )
    return "<p>Binary without a content element.</p>\n"


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _digest(digest: Mapping[str, Any]) -> str:
    return (
        f"SHA-256 <code>{_e(digest.get('sha256', ''))}</code>, {_size(digest.get('size'))}, "
        f"detected type {_e(digest.get('detected_type', 'unknown'))}"
    )


def _outcome_summary(outcome: Mapping[str, Any]) -> str:
    issues = outcome.get("issue")
    if not isinstance(issues, list) or not issues:
        return "<p>OperationOutcome without issues.</p>\n"
    rows = []
    for issue in issues:
        if not isinstance(issue, Mapping):
            continue
        codings = _mapping(issue.get("details")).get("coding")
        coding = ", ".join(
            f"{c.get('code', '')} ({c.get('display', '')})"
            for c in (codings if isinstance(codings, list) else [])
            if isinstance(c, Mapping)
        )
        rows.append(
            (
                _e(issue.get("severity", "")),
                _e(issue.get("code", "")),
                _e(coding),
                _e(issue.get("diagnostics", "")),
            )
        )
    return "<p>OperationOutcome:</p>\n" + _table(
        ("Severity", "Code", "Spine error code", "Diagnostics"), rows
    )


def _probes(probes: Sequence[Mapping[str, Any]]) -> str:
    if not probes:
        return ""
    rows = [
        (
            _e(p.get("attempt", "")),
            _yes_no(p.get("connected")),
            _yes_no(p.get("handshake")),
            _yes_no(p.get("accepted")),
            _e(p.get("tls_version", p.get("version")) or "\u2013"),
            _e(p.get("cipher") or "\u2013"),
            _e(p.get("detail", "")),
        )
        for p in probes
    ]
    headings = ("Attempt", "Connected", "Handshake", "Accepted", "Version", "Cipher", "Detail")
    return "<h5>TLS probes</h5>\n" + _table(headings, rows)


def _yes_no(value: object) -> str:
    if value is None:
        return "\u2013"
    return "yes" if value else "no"


# --------------------------------------------------------------------------------------------
# 5. Not tested


def _not_tested(
    items: Sequence[Mapping[str, Any]],
    requirements: Sequence[Mapping[str, Any]],
    anchors: Mapping[str, str],
) -> str:
    known = {str(r.get("id", "")) for r in requirements}
    rows = [
        (_e(i.get("kind", "")), _item_ref(i, known, anchors), _e(i.get("reason", "")))
        for i in items
    ]
    table = _table(("Kind", "Id", "Reason"), rows) if rows else "<p>Everything was tested.</p>\n"
    return (
        "<section id='not-tested' aria-labelledby='not-tested-h'>\n"
        f"<h2 id='not-tested-h'>Not tested</h2>\n{table}</section>\n"
    )


def _item_ref(item: Mapping[str, Any], known: set[str], anchors: Mapping[str, str]) -> str:
    item_id = str(item.get("id", ""))
    if item.get("kind") == "requirement" and item_id in known:
        return f"<a href='#{_req_anchor(item_id)}'><code>{_e(item_id)}</code></a>"
    if item.get("kind") == "scenario" and item_id in anchors:
        return f"<a href='#{anchors[item_id]}'><code>{_e(item_id)}</code></a>"
    return f"<code>{_e(item_id)}</code>"
