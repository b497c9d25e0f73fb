"""Choosing scenarios by requirement id and family; unknown names are usage errors."""

import pytest

from gpc_assure.run.selection import Selection, families


def test_families_are_the_feature_files() -> None:
    assert "transport_security" in families()
    assert "bearer_token" in families()


def test_nothing_given_chooses_everything() -> None:
    selection = Selection.of((), ())
    assert selection.everything
    assert selection.chooses("bearer_token", {"GPC-DOC-JWT-001"})


@pytest.mark.parametrize(
    "spelling", ["transport_security", "Transport-Security", "transport security"]
)
def test_a_family_in_any_spelling(spelling: str) -> None:
    selection = Selection.of((), (spelling,))
    assert selection.chooses("transport_security", {"GPC-DOC-TLS-004"})
    assert not selection.chooses("bearer_token", {"GPC-DOC-JWT-001"})


def test_requirements_and_families_must_both_match_when_both_are_given() -> None:
    selection = Selection.of(("gpc-doc-tls-008",), ("transport_security",))
    assert selection.chooses("transport_security", {"GPC-DOC-TLS-008", "GPC-DOC-TLS-001"})
    assert not selection.chooses("transport_security", {"GPC-DOC-TLS-004"})
    assert not selection.chooses("bearer_token", {"GPC-DOC-TLS-008"})


@pytest.mark.parametrize(
    ("requirements", "chosen", "message"),
    [
        (("GPC-DOC-TLS-04",), (), "did you mean GPC-DOC-TLS-004"),
        ((), ("transport",), "did you mean transport_security"),
        ((), ("zzz",), "known: bearer_token"),
    ],
)
def test_an_unknown_name_is_refused_with_a_hint(
    requirements: tuple[str, ...], chosen: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Selection.of(requirements, chosen)
