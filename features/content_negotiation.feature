Feature: Content negotiation and compression
  The provider answers in JSON by default and when asked for it, SHOULD answer in XML when
  asked for it, lets the _format parameter override Accept, follows the request's Content-Type
  when there is neither, refuses formats it does not support with 415, and compresses with
  gzip when the consumer accepts it.
  Spec: general API guidance (Content types, Wire format representations, Content compression).

  @req:GPC-DOC-HTTP-004
  Scenario: Without Accept or _format the response is JSON
    Given a valid request for the first configured document
    And the request has no Accept header
    When the request is sent
    Then the response is a FHIR JSON Binary (GPC-DOC-HTTP-004)

  @req:GPC-DOC-HTTP-005
  Scenario: Accept application/fhir+json gives FHIR JSON
    Given a valid request for the first configured document
    And the request's Accept header is "application/fhir+json"
    When the request is sent
    Then the response is a FHIR JSON Binary (GPC-DOC-HTTP-005)

  @req:GPC-DOC-HTTP-007 @req:GPC-DOC-HTTP-008
  Scenario: Accept application/fhir+xml gives a valid FHIR XML Binary
    Given a valid request for the first configured document
    And the request's Accept header is "application/fhir+xml"
    When the request is sent
    Then the response is FHIR XML (GPC-DOC-HTTP-007)
    And any XML returned is a valid Binary of the requested document (GPC-DOC-HTTP-008)

  @req:GPC-DOC-HTTP-006
  Scenario: _format=json overrides Accept application/fhir+xml
    Given a valid request for the first configured document
    And the request's Accept header is "application/fhir+xml"
    And the request asks for "application/fhir+json" with _format
    When the request is sent
    Then the response is a FHIR JSON Binary (GPC-DOC-HTTP-006)

  @req:GPC-DOC-HTTP-006 @req:GPC-DOC-HTTP-008
  Scenario: _format=xml overrides Accept application/fhir+json
    Given a valid request for the first configured document
    And the request asks for "application/fhir+xml" with _format
    When the request is sent
    Then the response is FHIR XML, or 415 where XML is not supported (GPC-DOC-HTTP-006)
    And any XML returned is a valid Binary of the requested document (GPC-DOC-HTTP-008)

  @req:GPC-DOC-HTTP-009
  Scenario: An unsupported format is refused with 415
    Given a valid request for the first configured document
    And the request's Accept header is "application/fhir+turtle"
    When the request is sent
    Then the request is rejected: HTTP 415 (GPC-DOC-HTTP-009)

  @req:GPC-DOC-HTTP-010
  Scenario: gzip is used when the consumer accepts it
    Given a valid request for the largest configured document
    And the request's Accept-Encoding header is "gzip"
    When the request is sent
    Then the response is gzip-encoded (GPC-DOC-HTTP-010)
    And the response is a FHIR JSON Binary (GPC-DOC-HTTP-010)

  @req:GPC-DOC-HTTP-016
  Scenario: Without Accept or _format, Content-Type application/fhir+json gives FHIR JSON
    Given a valid request for the first configured document
    And the request has no Accept header
    And the request's Content-Type header is "application/fhir+json;charset=utf-8"
    When the request is sent
    Then the response is a FHIR JSON Binary (GPC-DOC-HTTP-016)

  @req:GPC-DOC-HTTP-016 @req:GPC-DOC-HTTP-008
  Scenario: Without Accept or _format, Content-Type application/fhir+xml gives FHIR XML
    Given a valid request for the first configured document
    And the request has no Accept header
    And the request's Content-Type header is "application/fhir+xml;charset=utf-8"
    When the request is sent
    Then the response is FHIR XML, or 415 where XML is not supported (GPC-DOC-HTTP-016)
    And any XML returned is a valid Binary of the requested document (GPC-DOC-HTTP-008)

  @req:GPC-DOC-HTTP-006
  Scenario: _format=json without an Accept header gives FHIR JSON
    Given a valid request for the first configured document
    And the request has no Accept header
    And the request asks for "application/fhir+json" with _format
    When the request is sent
    Then the response is a FHIR JSON Binary (GPC-DOC-HTTP-006)

  @req:GPC-DOC-HTTP-006 @req:GPC-DOC-HTTP-008
  Scenario: _format=xml without an Accept header gives FHIR XML
    Given a valid request for the first configured document
    And the request has no Accept header
    And the request asks for "application/fhir+xml" with _format
    When the request is sent
    Then the response is FHIR XML, or 415 where XML is not supported (GPC-DOC-HTTP-006)
    And any XML returned is a valid Binary of the requested document (GPC-DOC-HTTP-008)
