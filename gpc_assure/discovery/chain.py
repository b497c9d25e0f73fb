"""The discovery chain: each NHS number -> Find a Patient -> each matching Patient's
DocumentReference search -> each attachment, as a document to retrieve.

Requests go through the `send` given (the run's transport, which records them); every answer is
read as provider data, within bounds: a failed step is a `DiscoveryProblem`, never an exception.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from gpc_assure.config.provider_config import ProviderConfig
from gpc_assure.discovery.attachment import UrlForm, read_attachment_url
from gpc_assure.discovery.bundle import (
    BundleAttachment,
    BundleDocument,
    DiscoveryProblem,
    Searchset,
    one_line,
    read_searchset,
)
from gpc_assure.request.retrieve import RetrieveRequest
from gpc_assure.request.search import document_search_request, patient_search_request
from gpc_assure.transport.exchange import Exchange

Send = Callable[[RetrieveRequest], Exchange]

MAX_PATIENTS_PER_NHS_NUMBER = 3
"""Matching Patients whose documents are searched, for one NHS number (the page allows several;
it never says what a consumer then does)."""
MAX_FOUND_DOCUMENTS = 100
"""Attachments kept in all: each may become a retrieval."""
MAX_URL_KEPT = 256
"""Longest attachment url a FoundDocument keeps (the form is judged on the whole url)."""
MAX_STOP_REASON_CHARS = 400


class StepKind(StrEnum):
    """The two searches of the chain, by the names the specification gives them."""

    FIND_PATIENT = "Find a Patient"
    SEARCH_DOCUMENTS = "DocumentReference search"


@dataclass(frozen=True)
class DiscoveryStep:
    """One search the discovery sent: what it asked, its exchange, and what came of it."""

    kind: StepKind
    nhs_number: str
    patient_id: str | None
    """The Patient searched (None for Find a Patient)."""
    exchange_index: int
    """Index of the step's exchange in `Discovery.exchanges`."""
    outcome: str
    """One line: what was found, or why nothing was."""
    ok: bool
    """Whether the answer was a searchset Bundle (found something or not)."""
    notes: tuple[str, ...] = ()
    """What the step did not examine or follow, and values it could not use."""

    @property
    def asked(self) -> str:
        """What the step asked for, in words: "NHS number N" or "Patient ID (NHS number N)"."""
        if self.kind is StepKind.FIND_PATIENT:
            return f"NHS number {self.nhs_number}"
        return f"Patient {self.patient_id} (NHS number {self.nhs_number})"


@dataclass(frozen=True)
class FoundDocument:
    """One `content[].attachment` of a DocumentReference found for a patient (or a
    DocumentReference with no usable content at all: `content_index` None)."""

    nhs_number: str
    patient_id: str
    document_reference_id: str | None
    """None when the DocumentReference has no id, or one that is not a FHIR id."""
    subject: str | None
    """The DocumentReference's subject.reference, as given (cut at 256 characters)."""
    content_index: int | None
    url: str | None
    """The attachment url as given, cut at MAX_URL_KEPT characters (None when absent or not a
    string); never requested."""
    url_form: UrlForm
    url_reason: str | None
    """What sets the url apart from `[base_url]/Binary/[id]`, in one line (None when it is)."""
    binary_id: str | None
    """The id to retrieve from the configured service root, when the url names a Binary."""
    content_type: str | None
    size: int | None
    title: str | None
    step_index: int
    """The DocumentReference search step (index into `Discovery.steps`) that found it."""
    remarks: tuple[str, ...] = ()
    """Values of the DocumentReference or attachment that were present but unusable."""

    @property
    def provenance(self) -> str:
        """How the document was found: NHS number -> Patient -> DocumentReference -> Binary."""
        reference = self.document_reference_id or "(no id)"
        binary = self.binary_id or f"({self.url_form})"
        return (
            f"NHS number {self.nhs_number} -> Patient {self.patient_id} -> "
            f"DocumentReference {reference} -> Binary {binary}"
        )


@dataclass(frozen=True)
class Discovery:
    """Everything the chain found, how, and what stopped it."""

    documents: tuple[FoundDocument, ...]
    steps: tuple[DiscoveryStep, ...]
    problems: tuple[DiscoveryProblem, ...]
    exchanges: tuple[Exchange, ...] = field(repr=False)
    """Every exchange sent, in order (steps and problems index into it)."""
    patients: tuple[tuple[str, str], ...] = ()
    """(NHS number, Patient id) of every Patient whose documents were searched."""
    notes: tuple[str, ...] = ()
    """Bounds met across the whole chain (patients or documents not followed)."""

    @property
    def stop_reason(self) -> str | None:
        """One line when the chain found no patient, or no DocumentReference at all, else None."""
        if not self.patients:
            return _bounded(f"no patient found: {self._why(StepKind.FIND_PATIENT)}")
        if not self.documents:
            return _bounded(f"no document found: {self._why(StepKind.SEARCH_DOCUMENTS)}")
        return None

    def _why(self, kind: StepKind) -> str:
        return "; ".join(f"{s.asked}: {s.outcome}" for s in self.steps if s.kind is kind) or (
            "no NHS number to search for"
        )


def _bounded(text: str) -> str:
    return one_line(text, MAX_STOP_REASON_CHARS)


class _Chain:
    """The state of one discovery run: what was sent, found and met on the way."""

    def __init__(self, send: Send, config: ProviderConfig) -> None:
        assert config.base_url is not None, "the target provider is resolved before discovery"
        self.send = send
        self.config = config
        self.base_url = config.base_url
        self.exchanges: list[Exchange] = []
        self.steps: list[DiscoveryStep] = []
        self.problems: list[DiscoveryProblem] = []
        self.documents: list[FoundDocument] = []
        self.patients: list[tuple[str, str]] = []
        self.attachments_dropped = 0

    def search(
        self, kind: StepKind, request: RetrieveRequest, nhs_number: str, patient_id: str | None
    ) -> Searchset | None:
        """Send one search and read its answer. A failed one is recorded as a step and a
        problem; a searchset is returned for the caller to record its step."""
        self.exchanges.append(self.send(request))
        index = len(self.exchanges) - 1
        read = read_searchset(self.exchanges[index])
        if isinstance(read, Searchset):
            return read
        step = DiscoveryStep(kind, nhs_number, patient_id, index, read.reason, ok=False)
        self.steps.append(step)
        self.problems.append(replace(read, step=kind.value, asked=step.asked, exchange_index=index))
        return None

    def record(
        self, kind: StepKind, nhs_number: str, patient_id: str | None, outcome: str,
        notes: Sequence[str],
    ) -> None:  # fmt: skip
        """The step whose answer (the last exchange) was a searchset."""
        index = len(self.exchanges) - 1
        self.steps.append(
            DiscoveryStep(kind, nhs_number, patient_id, index, outcome, ok=True, notes=tuple(notes))
        )

    def find_patients(self, nhs_number: str) -> list[str]:
        """Find a Patient: the ids of the matching Patients to follow."""
        request = patient_search_request(self.config, nhs_number)
        searchset = self.search(StepKind.FIND_PATIENT, request, nhs_number, None)
        if searchset is None:
            return []
        notes = list(searchset.notes)
        matching = [p for p in searchset.patients if nhs_number in p.nhs_numbers]
        ids: list[str] = []
        for patient in matching:
            if patient.id is None:
                notes.append(
                    "a Patient with this NHS number was not followed: " + "; ".join(patient.remarks)
                )
            elif patient.id not in ids:
                ids.append(patient.id)
        if len(ids) > MAX_PATIENTS_PER_NHS_NUMBER:
            notes.append(
                f"{len(ids)} Patients carry this NHS number; the documents of the first "
                f"{MAX_PATIENTS_PER_NHS_NUMBER} were searched"
            )
            ids = ids[:MAX_PATIENTS_PER_NHS_NUMBER]
        if ids:
            outcome = f"{_count(len(matching), 'Patient')} with this NHS number: {', '.join(ids)}"
        elif matching:
            outcome = "no Patient with this NHS number has a usable id"
        else:
            outcome = "no Patient with this NHS number"
        others = len(searchset.patients) - len(matching)
        if others:
            outcome += f" ({_count(others, 'other Patient')} ignored)"
        self.record(StepKind.FIND_PATIENT, nhs_number, None, outcome, notes)
        return ids

    def search_documents(self, nhs_number: str, patient_id: str) -> None:
        """The DocumentReference search: every attachment of every DocumentReference."""
        request = document_search_request(self.config, patient_id)
        searchset = self.search(StepKind.SEARCH_DOCUMENTS, request, nhs_number, patient_id)
        if searchset is None:
            return
        step = len(self.steps)
        found = [
            kept
            for document in searchset.documents
            for kept in self.found(nhs_number, patient_id, document, step)
        ]
        room = MAX_FOUND_DOCUMENTS - len(self.documents)
        self.documents += found[:room]
        self.attachments_dropped += len(found[room:])
        outcome = _count(len(searchset.documents), "DocumentReference")
        if searchset.documents:
            outcome += f" ({_count(len(found), 'attachment')})"
        self.record(StepKind.SEARCH_DOCUMENTS, nhs_number, patient_id, outcome, searchset.notes)

    def found(
        self, nhs_number: str, patient_id: str, document: BundleDocument, step: int
    ) -> list[FoundDocument]:
        """The DocumentReference's attachments as documents (itself alone, when it has none)."""
        attachments: Sequence[BundleAttachment | None] = document.attachments or [None]
        found: list[FoundDocument] = []
        for attachment in attachments:
            url = attachment.url if attachment else None
            reading = read_attachment_url(url, self.base_url)
            found.append(
                FoundDocument(
                    nhs_number=nhs_number,
                    patient_id=patient_id,
                    document_reference_id=document.id,
                    subject=document.subject,
                    content_index=attachment.index if attachment else None,
                    url=_kept_url(url),
                    url_form=reading.form,
                    url_reason=reading.reason,
                    binary_id=reading.binary_id,
                    content_type=attachment.content_type if attachment else None,
                    size=attachment.size if attachment else None,
                    title=attachment.title if attachment else None,
                    step_index=step,
                    remarks=document.remarks + (attachment.remarks if attachment else ()),
                )
            )
        return found

    def result(self) -> Discovery:
        notes: list[str] = []
        if self.attachments_dropped:
            notes.append(
                f"only the first {MAX_FOUND_DOCUMENTS} attachments found are kept; "
                f"{self.attachments_dropped:,} more were left out"
            )
        return Discovery(
            documents=tuple(self.documents),
            steps=tuple(self.steps),
            problems=tuple(self.problems),
            exchanges=tuple(self.exchanges),
            patients=tuple(self.patients),
            notes=tuple(notes),
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _kept_url(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    if len(url) <= MAX_URL_KEPT:
        return url
    return url[:MAX_URL_KEPT] + f"... ({len(url):,} characters)"


def discover(send: Send, config: ProviderConfig, nhs_numbers: Sequence[str]) -> Discovery:
    """Follow the chain for each NHS number (in order) through `send`; a Patient found for two
    NHS numbers is searched once, for the first."""
    chain = _Chain(send, config)
    searched: set[str] = set()
    for nhs_number in nhs_numbers:
        for patient_id in chain.find_patients(nhs_number):
            if patient_id in searched:
                continue
            searched.add(patient_id)
            chain.patients.append((nhs_number, patient_id))
            chain.search_documents(nhs_number, patient_id)
    return chain.result()
