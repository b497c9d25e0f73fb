"""NHS number validity: ten digits whose check digit passes the Modulus 11 test."""

from __future__ import annotations

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


def is_valid_nhs_number(text: str) -> bool:
    """Whether *text* is ten ASCII digits whose weighted sum (weights 10..1) divides by 11; a
    remainder calling for check digit 10 has no valid number, and the sum rules it out too."""
    if len(text) != 10 or not text.isascii() or not text.isdigit():
        return False
    weighted = (int(digit) * weight for digit, weight in zip(text, range(10, 0, -1), strict=True))
    return sum(weighted) % 11 == 0
