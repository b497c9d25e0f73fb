"""The two searches that lead from a test patient's NHS number to their documents: Find a
Patient (Access Document flavour), then the search for that patient's DocumentReferences."""

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.request.retrieve import RetrieveRequest, service_url, spine_headers
from gpc_assure.spec.nhs_number import NHS_NUMBER_SYSTEM
from gpc_assure.spec.versions import spec_version

DOCUMENT_SEARCH_QUERY: tuple[tuple[str, str], ...] = (
    ("_include", "DocumentReference:subject:Patient"),
    ("_include", "DocumentReference:custodian:Organization"),
    ("_include", "DocumentReference:author:Organization"),
    ("_include", "DocumentReference:author:Practitioner"),
    ("_revinclude:recurse", "PractitionerRole:practitioner"),
)
"""The parameters a consumer must send with the search, in the order the page lists them."""
OTHER_IDENTIFIER_SYSTEM = "https://fhir.nhs.uk/Id/local-patient-identifier"
"""An identifier system that is not the NHS number's, for the number sent under it."""


def patient_search_request(
    config: ProviderConfig,
    nhs_number: str,
    now: int | None = None,
    system: str = NHS_NUMBER_SYSTEM,
) -> RetrieveRequest:
    """`GET [base]/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|N` (the pipe goes as
    `%7C`), sent as given: a scenario may search for an invalid NHS number, or the number under
    another `system`, on purpose."""
    return RetrieveRequest(
        method="GET",
        url=service_url(config, "Patient"),
        headers=spine_headers(config, spec_version(config.spec).patient_search_interaction, now),
        query=(("identifier", f"{system}|{nhs_number}"),),
        via_proxy=config.proxy_url is not None,
    )


def document_search_request(
    config: ProviderConfig, patient_id: str, now: int | None = None
) -> RetrieveRequest:
    """`GET [base]/Patient/[id]/DocumentReference` with the five `_include`/`_revinclude`
    parameters; the patient id is percent-encoded as one path segment."""
    interaction = spec_version(config.spec).document_search_interaction
    return RetrieveRequest(
        method="GET",
        url=service_url(config, "Patient", patient_id, "DocumentReference"),
        headers=spine_headers(config, interaction, now),
        query=DOCUMENT_SEARCH_QUERY,
        via_proxy=config.proxy_url is not None,
    )
