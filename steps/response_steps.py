"""Then steps: each names the requirement it checks and hands one observation to the judge."""

from pytest_bdd import parsers, then

from gpc_assure.checks import expect
from gpc_assure.checks.verdict import Judge
from gpc_assure.config.provider_config import DocumentExpectation, ProviderConfig
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.transport.exchange import Exchange

TABLED_FORM = "GPC-DOC-ERR-006"
DIAGNOSTICS_422 = "GPC-DOC-ERR-007"


def judge_error(judge: Judge, req: str, judged: expect.ErrorJudgement) -> None:
    """The requirement's own verdict, with the error-format requirements judged beside it."""
    judge(req, judged.allowed)
    judge(TABLED_FORM, judged.as_tabled)
    if judged.diagnostics is not None:
        judge(DIAGNOSTICS_422, judged.diagnostics)


@then(parsers.parse("the response status is {status:d}, else {req} cannot be judged"))
def status_needed(judge: Judge, exchange: Exchange, status: int, req: str) -> None:
    judge(req, expect.precondition_status(exchange, lambda s: s == status, f"HTTP {status}"))


@then(parsers.parse("the response has an error status, else {req} cannot be judged"))
def error_status_needed(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.precondition_status(exchange, lambda s: s >= 400, "an error status"))


@then(parsers.parse("the response status is {status:d} ({req})"))
def response_status(judge: Judge, exchange: Exchange, status: int, req: str) -> None:
    judge(req, expect.status_is(exchange, status))


@then(parsers.parse("the body is a valid {schema} ({req})"))
def body_is_valid(judge: Judge, exchange: Exchange, schema: str, req: str) -> None:
    judge(req, expect.schema_valid(exchange, schema))


@then(parsers.parse("the Binary id is the requested id ({req})"))
def binary_id(
    judge: Judge, exchange: Exchange, retrieve_request: RetrieveRequest, req: str
) -> None:
    judge(req, expect.binary_id_is(exchange, retrieve_request.document_id))


@then(parsers.parse("the Binary has a meta.versionId ({req})"))
def binary_version_id(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.binary_has_version_id(exchange))


def _expectation(config: ProviderConfig, request: RetrieveRequest) -> DocumentExpectation:
    """What the configuration says about the requested document (maybe nothing)."""
    wanted = request.document_id
    return next((d for d in config.documents if d.id == wanted), DocumentExpectation(id=wanted))


@then(parsers.parse("the Binary contentType is the configured content type ({req})"))
def binary_content_type(
    judge: Judge,
    exchange: Exchange,
    provider_config: ProviderConfig,
    retrieve_request: RetrieveRequest,
    req: str,
) -> None:
    expected = _expectation(provider_config, retrieve_request).content_type
    judge(req, expect.binary_content_type_is(exchange, expected))


@then(parsers.parse("the Binary content has the configured SHA-256 ({req})"))
def binary_content_digest(
    judge: Judge,
    exchange: Exchange,
    provider_config: ProviderConfig,
    retrieve_request: RetrieveRequest,
    req: str,
) -> None:
    expected = _expectation(provider_config, retrieve_request).sha256
    judge(req, expect.binary_content_digest_is(exchange, expected))


@then(parsers.parse('the OperationOutcome issue severity is "{severity}" ({req})'))
def issue_severity(judge: Judge, exchange: Exchange, severity: str, req: str) -> None:
    judge(req, expect.issue_severity_is(exchange, severity))


@then(parsers.parse('the OperationOutcome issue code is "{code}" ({req})'))
def issue_code(judge: Judge, exchange: Exchange, code: str, req: str) -> None:
    judge_error(judge, req, expect.issue_code_is(exchange, code))


@then(parsers.parse('the Spine error code is "{code}" ({req})'))
def spine_code(judge: Judge, exchange: Exchange, code: str, req: str) -> None:
    judge(req, expect.spine_code_is(exchange, code))


@then(parsers.parse("the Spine coding names the Spine code system and the code's display ({req})"))
def spine_coding(
    judge: Judge, exchange: Exchange, provider_config: ProviderConfig, req: str
) -> None:
    judged = expect.spine_coding_is_well_formed(exchange, provider_config.spec)
    judge_error(judge, req, judged)


@then(parsers.parse("the request is rejected: {alternatives} ({req})"))
def request_rejected(
    judge: Judge,
    exchange: Exchange,
    provider_config: ProviderConfig,
    alternatives: str,
    req: str,
) -> None:
    rejections = expect.parse_rejections(alternatives)
    judge_error(judge, req, expect.rejected_with(exchange, rejections, provider_config.spec))


@then(parsers.parse("the request is accepted: HTTP 200 with a Binary ({req})"))
def request_accepted(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.accepted_with_binary(exchange))


@then(parsers.parse("the response has Cache-Control no-store ({req})"))
def no_store(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.cache_control_no_store(exchange))


@then(parsers.parse("the response has a weak ETag matching meta.versionId ({req})"))
def weak_etag(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.weak_etag_matches_version(exchange))


@then(parsers.parse("the response Content-Type is FHIR {wire_format} with charset utf-8 ({req})"))
def fhir_content_type(judge: Judge, exchange: Exchange, wire_format: str, req: str) -> None:
    judge(req, expect.content_type_is_fhir(exchange, wire_format))


@then(parsers.parse("the response is a FHIR JSON Binary ({req})"))
def json_binary(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.is_json_binary(exchange))


@then(parsers.parse("the response is FHIR XML ({req})"))
def xml_response(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.is_xml(exchange, or_unsupported=False))


@then(parsers.parse("the response is FHIR XML, or 415 where XML is not supported ({req})"))
def xml_or_unsupported(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.is_xml(exchange, or_unsupported=True))


@then(parsers.parse("any XML returned is a valid Binary of the requested document ({req})"))
def xml_binary_valid(
    judge: Judge, exchange: Exchange, retrieve_request: RetrieveRequest, req: str
) -> None:
    judge(req, expect.xml_binary_is_valid(exchange, retrieve_request.document_id))


@then(parsers.parse("the response is gzip-encoded ({req})"))
def gzip_response(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.gzip_encoded(exchange))


@then(parsers.parse("the Binary does not populate securityContext ({req})"))
def no_security_context(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.binary_without_security_context(exchange))


@then(parsers.parse("the Binary populates only the elements the Binary page lists ({req})"))
def only_listed_elements(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.binary_only_listed_elements(exchange))


@then(parsers.parse("the OperationOutcome gives diagnostics ({req})"))
def diagnostics(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.issue_has_diagnostics(exchange))


@then(parsers.parse("the response has Strict-Transport-Security with a max-age ({req})"))
def hsts(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.hsts_present(exchange))


@then(parsers.parse("the document is not served ({req})"))
def document_withheld(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.document_not_served(exchange))


@then(parsers.parse("a refusal is {alternatives}, and an acceptance is reported ({req})"))
def refusal_or_reported_acceptance(
    judge: Judge,
    exchange: Exchange,
    provider_config: ProviderConfig,
    alternatives: str,
    req: str,
) -> None:
    """For a requirement a provider MAY meet: refused in one of the allowed forms is met; the
    request served (or refused otherwise) is unmet, which at MAY level is only reported."""
    request_rejected(judge, exchange, provider_config, alternatives, req)
