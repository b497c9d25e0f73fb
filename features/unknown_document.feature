Feature: Retrieve a document that does not exist
  A request for a logical id the provider does not hold is answered with an error,
  described by a GPConnect-OperationOutcome-1 carrying the Spine code NO_RECORD_FOUND. A path
  that names no endpoint (Binary in other letter case, a type the provider does not have) is
  answered with an error and an OperationOutcome too.
  Spec: "Retrieve a document" (Error handling), the error-handling guidance, and the
  general API guidance (ids are case sensitive; headers apply to every response).
  Every error check also judges, beside its own requirement, whether the issue type and Spine
  display are exactly as the selected version's tables print them (GPC-DOC-ERR-006, a SHOULD:
  the spec prints several displays for one code) and whether a 422 carries diagnostics
  (GPC-DOC-ERR-007).

  @req:GPC-DOC-NF-001 @req:GPC-DOC-ERR-001 @req:GPC-DOC-ERR-002 @req:GPC-DOC-ERR-003
  @req:GPC-DOC-ERR-004 @req:GPC-DOC-ERR-006
  Scenario: An unknown document id is answered 404 with NO_RECORD_FOUND
    Given a valid request for a document that does not exist
    When the request is sent
    Then the response status is 404 (GPC-DOC-NF-001)
    And the body is a valid GPConnect-OperationOutcome-1 (GPC-DOC-ERR-001)
    And the OperationOutcome issue severity is "error" (GPC-DOC-ERR-002)
    And the OperationOutcome issue code is "not-found" (GPC-DOC-ERR-003)
    And the Spine error code is "NO_RECORD_FOUND" (GPC-DOC-NF-001)
    And the Spine coding names the Spine code system and the code's display (GPC-DOC-ERR-004)

  @req:GPC-DOC-NF-001
  Scenario Outline: An unknown id of another shape is answered 404 with NO_RECORD_FOUND
    Given a valid request for an unknown document id that is <shape>
    When the request is sent
    Then the request is rejected: HTTP 404 NO_RECORD_FOUND (GPC-DOC-NF-001)

    Examples:
      | shape                              |
      | 64 characters long                 |
      | made of dots and dashes            |
      | numeric                            |
      | percent-encoded in the URL         |

  @req:GPC-DOC-NF-002
  Scenario: An existing id in other letter case is not that document
    Given a valid request for the first configured document with its id in other letter case
    When the request is sent
    Then the document is not served (GPC-DOC-NF-002)

  @req:GPC-DOC-HTTP-001
  Scenario Outline: Error responses forbid caching too: <error>
    Given a request the provider must refuse: <error>
    When the request is sent
    Then the response has an error status, else GPC-DOC-HTTP-001 cannot be judged
    And the response has Cache-Control no-store (GPC-DOC-HTTP-001)

    Examples:
      | error                          |
      | a document that does not exist |
      | no Ssp-TraceID header          |
      | no Authorization header        |
      | an unsupported format          |
      | the DELETE method              |

  @req:GPC-DOC-HTTP-003
  Scenario Outline: Error responses declare FHIR JSON in UTF-8 too: <error>
    Given a request the provider must refuse: <error>
    When the request is sent
    Then the response has an error status, else GPC-DOC-HTTP-003 cannot be judged
    And the response Content-Type is FHIR JSON with charset utf-8 (GPC-DOC-HTTP-003)

    Examples:
      | error                          |
      | a document that does not exist |
      | no Ssp-TraceID header          |
      | no Authorization header        |
      | an unsupported format          |
      | the DELETE method              |

  @req:GPC-DOC-ERR-005
  Scenario: Error responses explain themselves in diagnostics
    Given a valid request for a document that does not exist
    When the request is sent
    Then the response status is 404, else GPC-DOC-ERR-005 cannot be judged
    And the OperationOutcome gives diagnostics (GPC-DOC-ERR-005)

  @req:GPC-DOC-NF-003
  Scenario: Binary spelt in other letter case (binary/[id]) is not the Binary endpoint
    Given a valid request for the first configured document
    And the request's resource type in the URL is "binary"
    When the request is sent
    Then the request is rejected: HTTP 400 or HTTP 403 or HTTP 404 or HTTP 405 or HTTP 501 (GPC-DOC-NF-003)

  @req:GPC-DOC-NF-004
  Scenario: A request to an endpoint the provider does not have is answered with an OperationOutcome
    Given a valid request for the first configured document
    And the request's resource type in the URL is "Nonsense"
    When the request is sent
    Then the request is rejected: HTTP 400 or HTTP 403 or HTTP 404 or HTTP 405 or HTTP 501 (GPC-DOC-NF-004)
