Feature: HTTP methods other than GET
  Binary/[id] is read-only in this interaction: any other verb is an invalid request and is
  refused with an OperationOutcome, not acted upon.
  Spec: error-handling guidance (Malformed request errors: invalid HTTP verb), Spine Secure
  Proxy errors (405 Method not allowed).

  @req:GPC-DOC-HTTP-011
  Scenario Outline: <method> on Binary/[id] is refused
    Given a valid request for the first configured document
    And the request method is <method>
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 (GPC-DOC-HTTP-011)

    Examples:
      | method |
      | POST   |
      | PUT    |
      | PATCH  |
      | DELETE |
