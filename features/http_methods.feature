Feature: HTTP methods other than GET
  Binary/[id] is read-only in this interaction: any other verb is an invalid request and is
  refused with an OperationOutcome, not acted upon. Bodies are sent as a consumer attempting
  a write would send them, so that the refusal is about the verb.
  Spec: error-handling guidance (Malformed request errors: invalid HTTP verb; Internal server
  errors: NOT_IMPLEMENTED), Spine Secure Proxy errors (405 Method not allowed).

  @req:GPC-DOC-HTTP-011
  Scenario Outline: <method> on Binary/[id] is refused
    Given a valid request for the first configured document
    And the request method is <method>, with <body>
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 405 or HTTP 501 NOT_IMPLEMENTED (GPC-DOC-HTTP-011)

    Examples:
      | method | body                  |
      | POST   | a Binary as the body  |
      | PUT    | a Binary as the body  |
      | PATCH  | a JSON Patch body     |
      | DELETE | no body               |
