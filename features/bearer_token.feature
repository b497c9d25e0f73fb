Feature: Audit and provenance bearer token (JWT)
  Every request carries an unsecured JWT in the Authorization header with ten claims. The
  provider checks the token is present and correctly formed, rejects invalid, null or expired
  claims, and accepts the valid forms consumers are allowed to send.
  Spec: cross-organisation audit and provenance (Bearer token, JWT generation, JWT payload),
  security guidance, error-handling guidance (Malformed request errors).
  Every token error may be answered 400 BAD_REQUEST (error-handling guidance) or 401 (RFC 6750
  section 3.1, which the audit page makes binding); a 401 must carry WWW-Authenticate: Bearer.

  @req:GPC-DOC-JWT-001
  Scenario: A request without an Authorization header is rejected
    Given a valid request for the first configured document
    And the request has no Authorization header
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-001)

  @req:GPC-DOC-JWT-002
  Scenario: A valid token sent in the Basic scheme, not Bearer, is rejected
    Given a valid request for the first configured document
    And the request's token is sent in the "Basic" scheme
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-002)

  @req:GPC-DOC-JWT-003
  Scenario Outline: A bearer token <malformation> is rejected
    Given a valid request for the first configured document
    And the bearer token is <malformation>
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-003)

    Examples:
      | malformation                     |
      | not base64url-encoded            |
      | in two parts, not three          |
      | carrying a payload that is not JSON |
      | made of plain JSON parts, not base64url |

  @req:GPC-DOC-JWT-004
  Scenario Outline: A token without the <claim> claim is rejected
    Given a valid request for the first configured document
    And the JWT claim "<claim>" is removed
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-004)

    Examples:
      | claim                   |
      | iss                     |
      | sub                     |
      | aud                     |
      | exp                     |
      | iat                     |
      | reason_for_request      |
      | requested_scope         |
      | requesting_device       |
      | requesting_organization |
      | requesting_practitioner |

  @req:GPC-DOC-JWT-005
  Scenario Outline: A token whose <claim> claim is null is rejected
    Given a valid request for the first configured document
    And the JWT claim "<claim>" is null
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-005)

    Examples:
      | claim                   |
      | iss                     |
      | sub                     |
      | aud                     |
      | exp                     |
      | iat                     |
      | reason_for_request      |
      | requested_scope         |
      | requesting_device       |
      | requesting_organization |
      | requesting_practitioner |

  @req:GPC-DOC-JWT-006
  Scenario Outline: A token whose exp is iat <offset> seconds is rejected
    Given a valid request for the first configured document
    And the JWT exp is iat <offset> seconds
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-006)

    Examples:
      | offset |
      | + 299  |
      | + 301  |

  @req:GPC-DOC-JWT-006
  Scenario: A token whose exp is before its iat is rejected
    Given a valid request for the first configured document
    And the JWT was issued 120 seconds in the future
    And the JWT exp is iat - 60 seconds
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-006)

  @req:GPC-DOC-JWT-007
  Scenario: An expired token is rejected
    Given a valid request for the first configured document
    And the JWT was issued 600 seconds ago
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-007)

  @req:GPC-DOC-JWT-008
  Scenario: A token whose reason_for_request is not directcare is rejected
    Given a valid request for the first configured document
    And the JWT claim "reason_for_request" is "research"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-008)

  @req:GPC-DOC-JWT-009
  Scenario: A token whose requested_scope is not a defined scope is rejected
    Given a valid request for the first configured document
    And the JWT claim "requested_scope" is "everything"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 (GPC-DOC-JWT-009)

  @req:GPC-DOC-JWT-010
  Scenario: A token whose requested_scope is for organisation resources is refused or reported
    Given a valid request for the first configured document
    And the JWT claim "requested_scope" is "organization/*.read"
    When the request is sent
    Then a refusal is HTTP 400 BAD_REQUEST or HTTP 403, and an acceptance is reported (GPC-DOC-JWT-010)

  @req:GPC-DOC-JWT-011 @req:GPC-DOC-ERR-007
  Scenario Outline: A token whose <claim> is not an object is rejected
    Given a valid request for the first configured document
    And the JWT claim "<claim>" is "<claim> as text"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-011)

    Examples:
      | claim                   |
      | requesting_device       |
      | requesting_organization |
      | requesting_practitioner |

  @req:GPC-DOC-JWT-011 @req:GPC-DOC-ERR-007
  Scenario Outline: A token whose <claim> is a <resource> resource is rejected
    Given a valid request for the first configured document
    And the JWT claim "<claim>" has resourceType "<resource>"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-011)

    Examples:
      | claim                   | resource |
      | requesting_device       | Patient  |
      | requesting_organization | Location |
      | requesting_practitioner | Patient  |

  @req:GPC-DOC-JWT-012
  Scenario: A token whose practitioner id differs from sub is rejected
    Given a valid request for the first configured document
    And the JWT claim "sub" is "someone-else"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST/CONFLICTING_VALUES or HTTP 401 (GPC-DOC-JWT-012)

  @req:GPC-DOC-JWT-013
  Scenario: A token whose organisation has no ODS code identifier is rejected
    Given a valid request for the first configured document
    And the JWT organisation identifier system is "https://example.org/not-ods"
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-013)

  @req:GPC-DOC-JWT-014
  Scenario: A token issued a few seconds in the future is accepted
    Given a valid request for the first configured document
    And the JWT was issued 5 seconds in the future
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-JWT-014)

  @req:GPC-DOC-JWT-015
  Scenario: A practitioner without an NHS smartcard (UNK SDS ids) is accepted
    Given a valid request for the first configured document
    And the JWT practitioner's SDS user id and role profile id are UNK
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-JWT-015)

  @req:GPC-DOC-JWT-016
  Scenario: A practitioner with only the SDS user id identifier is accepted
    Given a valid request for the first configured document
    And the JWT practitioner has only the SDS user id identifier
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-JWT-016)

  @req:GPC-DOC-JWT-017
  Scenario: The scope with normal confidentiality is accepted
    Given a valid request for the first configured document
    And the JWT claim "requested_scope" is "patient/*.read conf/N"
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-JWT-017)

  @req:GPC-DOC-JWT-018
  Scenario: A token issued 200 seconds in the future is accepted
    Given a valid request for the first configured document
    And the JWT was issued 200 seconds in the future
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-JWT-018)

  @req:GPC-DOC-JWT-019
  Scenario: A token whose practitioner has no SDS user id identifier is rejected
    Given a valid request for the first configured document
    And the JWT practitioner has no SDS user id identifier
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-019)

  @req:GPC-DOC-JWT-021
  Scenario: A token whose practitioner has no name is rejected
    Given a valid request for the first configured document
    And the JWT claim "requesting_practitioner" has no "name" element
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-021)

  @req:GPC-DOC-JWT-013
  Scenario: A token whose organisation has no identifier at all is rejected
    Given a valid request for the first configured document
    And the JWT claim "requesting_organization" has no "identifier" element
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-013)

  @req:GPC-DOC-JWT-020
  Scenario Outline: A token whose <claim> has an element its resource type does not define is rejected
    Given a valid request for the first configured document
    And the JWT claim "<claim>" carries an element its resource type does not define
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST or HTTP 401 or HTTP 422 INVALID_RESOURCE (GPC-DOC-JWT-020)

    Examples:
      | claim                   |
      | requesting_device       |
      | requesting_organization |
      | requesting_practitioner |
