"""The NHS number's format: ten digits, the last a Modulus 11 check digit.

Weights 10, 9, ..., 2 go on the first nine digits; 11 minus the weighted sum modulo 11 is the
check digit, except that 11 gives 0 and 10 means no valid number starts with those nine digits.
"""

import re

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
_TEN_DIGITS = re.compile(r"[0-9]{10}")


def nhs_number_problem(value: str) -> str | None:
    """Why `value` is not a valid NHS number, in one line, or None when it is one."""
    if not _TEN_DIGITS.fullmatch(value):
        return "not 10 digits"
    digits = [int(c) for c in value]
    remainder = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    if check == 10:
        return "Modulus 11 gives 10 for the first nine digits: no NHS number starts so"
    if check != digits[9]:
        return f"check digit {digits[9]}, Modulus 11 gives {check}"
    return None


def is_valid_nhs_number(value: str) -> bool:
    """Whether `value` is ten digits whose last is the Modulus 11 check digit of the others."""
    return nhs_number_problem(value) is None
