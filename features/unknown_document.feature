Feature: Retrieve a document that does not exist
  A request for a logical id the provider does not hold is answered with an error,
  described by a GPConnect-OperationOutcome-1 carrying the Spine code NO_RECORD_FOUND.
  Spec: "Retrieve a document" (Error handling) and the error-handling guidance.

  @req:GPC-DOC-NF-001 @req:GPC-DOC-ERR-001 @req:GPC-DOC-ERR-002 @req:GPC-DOC-ERR-003
  @req:GPC-DOC-ERR-004
  Scenario: An unknown document id is answered 404 with NO_RECORD_FOUND
    Given a valid request for a document that does not exist
    When the request is sent
    Then the response status is 404 (GPC-DOC-NF-001)
    And the body is a valid GPConnect-OperationOutcome-1 (GPC-DOC-ERR-001)
    And the OperationOutcome issue severity is "error" (GPC-DOC-ERR-002)
    And the OperationOutcome issue code is "not-found" (GPC-DOC-ERR-003)
    And the Spine error code is "NO_RECORD_FOUND" (GPC-DOC-NF-001)
    And the Spine coding names the Spine code system and the code's display (GPC-DOC-ERR-004)
