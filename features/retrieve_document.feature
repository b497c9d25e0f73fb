Feature: Retrieve a document
  A consumer that has found a document asks for it by its logical id
  (GET [base]/Binary/[id]) and the provider returns the document as a FHIR Binary resource.
  Spec: "Retrieve a document" (Payload response body) and the Binary resource page.

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
