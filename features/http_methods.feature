Feature: HTTP methods other than GET
  Binary/[id] is read-only in this interaction: any other verb is an invalid request and is
  refused with an OperationOutcome, not acted upon. The requests carry no body, so that the
  refusal can only be about the verb.
  Spec: error-handling guidance (Malformed request errors: invalid HTTP verb; Internal server
  errors: NOT_IMPLEMENTED), Spine Secure Proxy errors (405 Method not allowed), "Retrieve a
  document" (FHIR absolute request).

  @req:GPC-DOC-HTTP-011
  Scenario Outline: <method> on Binary/[id] is refused
    Given a valid request for the first configured document
    And the request method is <method>
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 or HTTP 501 NOT_IMPLEMENTED (GPC-DOC-HTTP-011)

    Examples:
      | method |
      | PUT    |
      | PATCH  |
      | DELETE |

  @req:GPC-DOC-HTTP-013
  Scenario: POST on Binary/[id] is refused
    Given a valid request for the first configured document
    And the request method is POST
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 or HTTP 501 NOT_IMPLEMENTED (GPC-DOC-HTTP-013)

  @req:GPC-DOC-HTTP-014
  Scenario: POST on Binary/[id] is refused, although the retrieve page's absolute request shows POST
    Given a valid request for the first configured document
    And the request method is POST
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 or HTTP 501 NOT_IMPLEMENTED (GPC-DOC-HTTP-014)

  @req:GPC-DOC-HTTP-015
  Scenario: OPTIONS on Binary/[id] is refused
    Given a valid request for the first configured document
    And the request method is OPTIONS
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 or HTTP 501 NOT_IMPLEMENTED (GPC-DOC-HTTP-015)
