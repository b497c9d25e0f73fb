"""Then steps: each names the requirement it checks and hands one observation to the judge."""

from urllib.parse import unquote

from pytest_bdd import parsers, then

from gpc_assure import expect
from gpc_assure.config import DocumentExpectation
from gpc_assure.evidence import Exchange
from gpc_assure.request import RetrieveRequest
from gpc_assure.verdict import Judge


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
    requested = retrieve_request.url.rsplit("/Binary/", 1)[1]
    judge(req, expect.binary_id_is(exchange, unquote(requested)))


@then(parsers.parse("the Binary has a meta.versionId ({req})"))
def binary_version_id(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.binary_has_version_id(exchange))


@then(parsers.parse("the Binary contentType is the configured content type ({req})"))
def binary_content_type(
    judge: Judge, exchange: Exchange, configured_document: DocumentExpectation, req: str
) -> None:
    judge(req, expect.binary_content_type_is(exchange, configured_document.content_type))


@then(parsers.parse("the Binary content has the configured SHA-256 ({req})"))
def binary_content_digest(
    judge: Judge, exchange: Exchange, configured_document: DocumentExpectation, req: str
) -> None:
    judge(req, expect.binary_content_digest_is(exchange, configured_document.sha256))


@then(parsers.parse('the OperationOutcome issue severity is "{severity}" ({req})'))
def issue_severity(judge: Judge, exchange: Exchange, severity: str, req: str) -> None:
    judge(req, expect.issue_severity_is(exchange, severity))


@then(parsers.parse('the OperationOutcome issue code is "{code}" ({req})'))
def issue_code(judge: Judge, exchange: Exchange, code: str, req: str) -> None:
    judge(req, expect.issue_code_is(exchange, code))


@then(parsers.parse('the Spine error code is "{code}" ({req})'))
def spine_code(judge: Judge, exchange: Exchange, code: str, req: str) -> None:
    judge(req, expect.spine_code_is(exchange, code))


@then(parsers.parse("the Spine coding names the Spine code system and the code's display ({req})"))
def spine_coding(judge: Judge, exchange: Exchange, req: str) -> None:
    judge(req, expect.spine_coding_is_well_formed(exchange))
