"""The two searches that lead from an NHS number to documents: Find a Patient
(`GET [base]/Patient?identifier=...`) and the patient's DocumentReference search
(`GET [base]/Patient/[id]/DocumentReference?...`). Each answers a Bundle or a Refusal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from .attachments import AttachmentRules
from .document_filters import ParameterProblem, document_filter
from .documents import ServedDocument
from .faults import Fault
from .fhir import Resource
from .nhs_number import NHS_NUMBER_SYSTEM, is_valid_nhs_number
from .patients import LISTINGS, ServedPatient, duplicate_of, patient_by_id, patient_by_nhs_number
from .readings import Reading
from .search_resources import (
    document_reference,
    patient,
    practice,
    practitioner,
    practitioner_role,
    searchset,
)

# Search page, _include parameters: what consumers MUST send, each as its own parameter.
REQUIRED_INCLUDES = (
    "DocumentReference:subject:Patient",
    "DocumentReference:custodian:Organization",
    "DocumentReference:author:Organization",
    "DocumentReference:author:Practitioner",
)
REQUIRED_REVINCLUDE = "PractitionerRole:practitioner"


@dataclass(frozen=True)
class Refusal:
    """An error answer: HTTP status, issue type, Spine code and diagnostics."""

    status: int
    issue_code: str
    spine_code: str
    diagnostics: str


def _invalid_parameter(diagnostics: str) -> Refusal:
    """422 INVALID_PARAMETER: the Find a Patient and search pages' answer to a query parameter
    failure, whose diagnostics MUST name the parameter."""
    return Refusal(422, "invalid", "INVALID_PARAMETER", diagnostics)


class Searches:
    """Answers both searches for the test patients under one provider's switches."""

    def __init__(
        self,
        documents: Mapping[str, ServedDocument],
        rules: AttachmentRules,
    ) -> None:
        self.documents = documents
        self.rules = rules
        self.faults = rules.faults
        self.readings = rules.readings

    def __repr__(self) -> str:
        return f"Searches(service_root={self.rules.service_root!r})"

    def find_patient(self, query: str) -> Resource | Refusal:
        """Find a Patient: a searchset of the Patients with the NHS number in `identifier`."""
        values = parse_qs(query, keep_blank_values=True).get("identifier", [])
        if len(values) != 1 or not values[0]:
            return _invalid_parameter(
                "The identifier parameter must be given once, as "
                f"identifier={NHS_NUMBER_SYSTEM}|[NHS number]"
            )
        system, pipe, nhs_number = values[0].partition("|")
        if not pipe:
            system, nhs_number = "", system
        any_system = Fault.SEARCH_IGNORES_IDENTIFIER_SYSTEM in self.faults
        if system != NHS_NUMBER_SYSTEM and not any_system:
            return _invalid_parameter(
                f"The identifier parameter must use the system {NHS_NUMBER_SYSTEM}"
            )
        if not is_valid_nhs_number(nhs_number):
            return Refusal(
                400,
                "value",
                "INVALID_NHS_NUMBER",
                "The identifier parameter's NHS number is not 10 digits passing the "
                "Modulus 11 check",
            )
        found = patient_by_nhs_number(nhs_number)
        matches: list[ServedPatient] = []
        if found is not None:
            if Reading.SEVERAL_PATIENTS_FOR_NHS_NUMBER in self.readings:
                matches.append(duplicate_of(found))
            matches.append(found)
        resources = [patient(match) for match in matches]
        if Fault.PATIENT_WITHOUT_NHS_NUMBER in self.faults:
            for resource in resources:
                del resource["identifier"]
        return searchset(
            resources,
            self.rules.service_root,
            full_urls=Reading.SEARCH_BUNDLE_WITHOUT_FULLURL not in self.readings,
            bundle_type=(
                "collection" if Fault.PATIENT_SEARCH_NOT_SEARCHSET in self.faults else "searchset"
            ),
        )

    def patient_documents(self, patient_id: str, query: str) -> Resource | Refusal:
        """The DocumentReference search: the patient, their DocumentReferences and the
        Organization, Practitioner and PractitionerRole these name."""
        params = parse_qs(query, keep_blank_values=True)
        includes = {value.strip() for value in params.get("_include", [])}
        revincludes = {value.strip() for value in params.get("_revinclude:recurse", [])}
        missing = [f"_include={name}" for name in REQUIRED_INCLUDES if name not in includes]
        if REQUIRED_REVINCLUDE not in revincludes:
            missing.append(f"_revinclude:recurse={REQUIRED_REVINCLUDE}")
        if missing:
            return _invalid_parameter(f"Mandatory parameters missing: {', '.join(missing)}")
        try:
            matches = document_filter(params)
        except ParameterProblem as problem:
            return _invalid_parameter(str(problem))
        duplicates = Reading.SEVERAL_PATIENTS_FOR_NHS_NUMBER in self.readings
        found = patient_by_id(patient_id, duplicates=duplicates)
        if found is None:
            return Refusal(
                404, "not-found", "PATIENT_NOT_FOUND", "No patient was found with the id provided"
            )
        listings = [LISTINGS[doc_id] for doc_id in found.document_ids]
        references = [
            document_reference(
                listing,
                found.id,
                self.rules.attachment(self.documents[listing.document_id], listing),
            )
            for listing in listings
            if matches(listing)
        ]
        bundle_type = (
            "collection" if Fault.DOCUMENT_SEARCH_NOT_SEARCHSET in self.faults else "searchset"
        )
        if not references:
            return searchset([], self.rules.service_root, bundle_type=bundle_type)
        resources = [patient(found), *references, practice(), practitioner(), practitioner_role()]
        return searchset(resources, self.rules.service_root, bundle_type=bundle_type)
