"""A configuration error ends `gpc-assure run` with exit 2 and one line, before any request."""

import pytest

from gpc_assure import cli


class _NoSession:
    def __init__(self, *_: object) -> None:
        raise AssertionError("a run session (and so a request) was started")


@pytest.mark.parametrize(
    ("argv", "env", "line"),
    [
        (
            ["--nhs-number", "9690937278", "--nhs-number", "9476719932"],
            {},
            "gpc-assure: config error: nhs_numbers[1]: got '9476719932'; expected an NHS number: "
            "10 digits passing the Modulus 11 check (check digit 2, Modulus 11 gives 1) "
            "(from --nhs-number)",
        ),
        (
            [],
            {"GPC_ASSURE_NHS_NUMBERS": "947671993"},
            "gpc-assure: config error: nhs_numbers[0]: got '947671993'; expected an NHS number: "
            "10 digits passing the Modulus 11 check (not 10 digits) (from GPC_ASSURE_NHS_NUMBERS)",
        ),
    ],
)
def test_an_invalid_nhs_number_is_a_usage_error_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    line: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "RunSession", _NoSession)
    assert cli.main(["run", *argv]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [line]
    assert captured.out == ""
