"""NHS number validation (Modulus 11), with the values the specification's examples use."""

import pytest

from gpc_assure.spec.nhs_number import is_valid_nhs_number, nhs_number_problem


@pytest.mark.parametrize(
    "value",
    [
        "9476719931",  # Find a Patient's example patient
        "9000000009",  # a widely used test number
        "9999999999",  # the search response example's patient
        "9690937278",  # the reference provider's test patients
        "9690937286",
        "9690937294",
        "9690937030",  # 11 - 0: check digit 0
    ],
)
def test_valid_numbers(value: str) -> None:
    assert is_valid_nhs_number(value)
    assert nhs_number_problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9476719932", "check digit 2, Modulus 11 gives 1"),
        ("1234567890", "Modulus 11 gives 10"),
        ("947671993", "10 digits"),
        ("94767199311", "10 digits"),
        ("947 671 9931", "10 digits"),
        ("94767I9931", "10 digits"),
        ("", "10 digits"),
        ("٩٤٧٦٧١٩٩٣١", "10 digits"),  # Arabic-Indic digits: \d would take them
    ],
)
def test_invalid_numbers(value: str, reason: str) -> None:
    assert not is_valid_nhs_number(value)
    problem = nhs_number_problem(value)
    assert problem is not None
    assert reason in problem
    assert "\n" not in problem


def test_every_wrong_check_digit_is_refused() -> None:
    assert [d for d in "0123456789" if is_valid_nhs_number("947671993" + d)] == ["1"]
