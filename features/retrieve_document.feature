Feature: Retrieve a document
  A consumer that has found a document asks for it by its logical id
  (GET [base]/Binary/[id]) and the provider returns the document as a FHIR Binary resource,
  with the caching, versioning and media-type headers the general API guidance requires.
  Spec: "Retrieve a document" (Payload response body, File size limit), the Binary resource
  page, and the general API guidance.

  @req:GPC-DOC-RD-001 @req:GPC-DOC-RD-002 @req:GPC-DOC-RD-003 @req:GPC-DOC-RD-004
  @req:GPC-DOC-RD-005 @req:GPC-DOC-RD-006 @each-document
  Scenario: An existing document is returned as a Binary
    Given a valid request for the configured document
    When the request is sent
    Then the response status is 200 (GPC-DOC-RD-001)
    And the body is a valid Binary (GPC-DOC-RD-002)
    And the Binary id is the requested id (GPC-DOC-RD-004)
    And the Binary has a meta.versionId (GPC-DOC-RD-003)
    And the Binary contentType is the configured content type (GPC-DOC-RD-005)
    And the Binary content has the configured SHA-256 (GPC-DOC-RD-006)

  @req:GPC-DOC-HTTP-002
  Scenario: The response carries the Binary's version as a weak ETag
    Given a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-HTTP-002 cannot be judged
    And the response has a weak ETag matching meta.versionId (GPC-DOC-HTTP-002)

  @req:GPC-DOC-HTTP-001
  Scenario: The response forbids caching by intermediaries
    Given a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-HTTP-001 cannot be judged
    And the response has Cache-Control no-store (GPC-DOC-HTTP-001)

  @req:GPC-DOC-HTTP-003
  Scenario: The response declares FHIR JSON in UTF-8
    Given a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-HTTP-003 cannot be judged
    And the response Content-Type is FHIR JSON with charset utf-8 (GPC-DOC-HTTP-003)

  @req:GPC-DOC-BIN-001
  Scenario: The Binary does not populate securityContext
    Given a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-BIN-001 cannot be judged
    And the Binary does not populate securityContext (GPC-DOC-BIN-001)

  @req:GPC-DOC-BIN-002
  Scenario: The Binary populates only the elements the Binary page lists
    Given a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-BIN-002 cannot be judged
    And the Binary populates only the elements the Binary page lists (GPC-DOC-BIN-002)

  @req:GPC-DOC-RD-007
  Scenario: A document just under the 5 MB limit is returned whole
    Given a valid request for the large document
    When the request is sent
    Then the response status is 200 (GPC-DOC-RD-007)
    And the Binary content has the configured SHA-256 (GPC-DOC-RD-007)

  @req:GPC-DOC-RD-008
  Scenario: A document over the 5 MB limit is answered 404 with NO_RECORD_FOUND
    Given a valid request for the oversize document
    When the request is sent
    Then the request is rejected: HTTP 404 NO_RECORD_FOUND (GPC-DOC-RD-008)
