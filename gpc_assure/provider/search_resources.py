"""The FHIR STU3 resources of the two searches, each in STU3 element order (the XML form keeps
the order of the dicts): Patient, DocumentReference, Organization, Practitioner,
PractitionerRole, and the searchset Bundle around them."""

from __future__ import annotations

from collections.abc import Sequence

from .fhir import Resource
from .nhs_number import NHS_NUMBER_SYSTEM
from .patients import (
    PRACTICE_ID,
    PRACTICE_ODS_CODE,
    PRACTITIONER_ID,
    PRACTITIONER_ROLE_ID,
    Listing,
    ServedPatient,
)

_PROFILES = "https://fhir.nhs.uk/STU3/StructureDefinition/"
SEARCHSET_PROFILE = _PROFILES + "GPConnect-Searchset-Bundle-1"
PATIENT_PROFILE = _PROFILES + "CareConnect-GPC-Patient-1"
DOCUMENT_REFERENCE_PROFILE = _PROFILES + "CareConnect-GPC-DocumentReference-1"
ORGANIZATION_PROFILE = _PROFILES + "CareConnect-GPC-Organization-1"
PRACTITIONER_PROFILE = _PROFILES + "CareConnect-GPC-Practitioner-1"
PRACTITIONER_ROLE_PROFILE = _PROFILES + "CareConnect-GPC-PractitionerRole-1"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SDS_USER_SYSTEM = "https://fhir.nhs.uk/Id/sds-user-id"
SNOMED = "http://snomed.info/sct"
JOB_ROLE_SYSTEM = "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1"
DOCUMENT_IDENTIFIER_SYSTEM = "https://reference-provider.gpc-assure.invalid/Id/document"
"""The provider's own namespace for DocumentReference.identifier (DocumentReference page:
globally unique, persistent, scoped by a provider-specific namespace)."""
PRACTICE_REFERENCE = f"Organization/{PRACTICE_ID}"


def patient(served: ServedPatient) -> Resource:
    """A CareConnect-GPC-Patient-1 with the elements Find a Patient requires."""
    return {
        "resourceType": "Patient",
        "id": served.id,
        "meta": {"versionId": "1", "profile": [PATIENT_PROFILE]},
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": served.nhs_number}],
        "active": True,
        "name": [{"use": "official", "family": served.family, "given": [served.given]}],
        "gender": served.gender,
        "birthDate": served.birth_date,
        "managingOrganization": {"reference": PRACTICE_REFERENCE},
    }


def document_reference(listing: Listing, patient_id: str, attachment: Resource) -> Resource:
    """A CareConnect-GPC-DocumentReference-1 describing one document of *patient_id*."""
    if listing.type_snomed:
        coding = {"system": SNOMED, "code": listing.type_snomed, "display": listing.type_text}
        document_type: Resource = {"coding": [coding]}
    else:
        document_type = {"text": listing.type_text}
    return {
        "resourceType": "DocumentReference",
        "id": listing.reference_id,
        "meta": {"profile": [DOCUMENT_REFERENCE_PROFILE]},
        "identifier": [{"system": DOCUMENT_IDENTIFIER_SYSTEM, "value": listing.reference_id}],
        "status": "current",
        "type": document_type,
        "subject": {"reference": f"Patient/{patient_id}"},
        "created": listing.created,
        "indexed": listing.indexed,
        "author": [{"reference": listing.author}],
        "custodian": {"reference": PRACTICE_REFERENCE},
        "description": listing.description,
        "content": [{"attachment": attachment}],
    }


def practice() -> Resource:
    """The GP practice: custodian of every document and author of some."""
    return {
        "resourceType": "Organization",
        "id": PRACTICE_ID,
        "meta": {"versionId": "1", "profile": [ORGANIZATION_PROFILE]},
        "identifier": [{"system": ODS_SYSTEM, "value": PRACTICE_ODS_CODE}],
        "name": "GP Connect reference practice",
    }


def practitioner() -> Resource:
    """The practice's GP, author of some documents."""
    return {
        "resourceType": "Practitioner",
        "id": PRACTITIONER_ID,
        "meta": {"versionId": "1", "profile": [PRACTITIONER_PROFILE]},
        "identifier": [{"system": SDS_USER_SYSTEM, "value": "G0000001"}],
        "name": [{"use": "usual", "family": "Reference", "given": ["Gill"], "prefix": ["Dr"]}],
    }


def practitioner_role() -> Resource:
    """The GP's role at the practice (the search's _revinclude:recurse)."""
    return {
        "resourceType": "PractitionerRole",
        "id": PRACTITIONER_ROLE_ID,
        "meta": {"profile": [PRACTITIONER_ROLE_PROFILE]},
        "practitioner": {"reference": f"Practitioner/{PRACTITIONER_ID}"},
        "organization": {"reference": PRACTICE_REFERENCE},
        "code": [
            {
                "coding": [
                    {
                        "system": JOB_ROLE_SYSTEM,
                        "code": "R0260",
                        "display": "General Medical Practitioner",
                    }
                ]
            }
        ],
    }


def searchset(
    resources: Sequence[Resource],
    service_root: str,
    *,
    full_urls: bool = True,
    bundle_type: str = "searchset",
) -> Resource:
    """A GPConnect-Searchset-Bundle-1 holding *resources*, each entry with its absolute
    fullUrl unless told otherwise; no entry element at all when there is nothing (FHIR JSON
    has no empty arrays). No Bundle.id: the Bundle page both requires and forbids it."""
    bundle: Resource = {
        "resourceType": "Bundle",
        "meta": {"profile": [SEARCHSET_PROFILE]},
        "type": bundle_type,
    }
    entries: list[Resource] = []
    for resource in resources:
        entry: Resource = {}
        if full_urls:
            entry["fullUrl"] = f"{service_root}/{resource['resourceType']}/{resource['id']}"
        entry["resource"] = resource
        entries.append(entry)
    if entries:
        bundle["entry"] = entries
    return bundle
