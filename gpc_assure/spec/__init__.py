"""What the suite checks against: the requirement catalogue, spec versions, Spine codes, schemas
and FHIR XML. Imports nothing else from the suite."""
