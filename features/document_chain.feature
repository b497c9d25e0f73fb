Feature: From an NHS number to the document
  A consumer reaches a document only by the path the specification lays down: Find a Patient
  by NHS number, search that patient's documents, then retrieve the Binary each
  DocumentReference's attachment.url names. Before the other scenarios run, the suite follows
  that path for every configured NHS number (discovery.json shows how each document was found)
  and retrieves what it finds; these scenarios judge what the path itself needs.
  Spec: "Find a patient" (Access Document), "Search for a patient's documents", the
  DocumentReference resource page and the documents guidance (File size of the document).

  @req:GPC-DOC-FIND-001 @req:GPC-DOC-FIND-002 @each-nhs-number
  Scenario: A registered patient is found by NHS number
    Given a Find a Patient request for the NHS number
    When the request is sent
    Then the response status is 200 (GPC-DOC-FIND-001)
    And the response is a searchset Bundle (GPC-DOC-FIND-001)
    And the Bundle holds a Patient with the NHS number (GPC-DOC-FIND-002)

  @req:GPC-DOC-FIND-003 @each-nhs-number
  Scenario: Find a Patient matches on the NHS number system only
    Given a Find a Patient request for the NHS number under another identifier system
    When the request is sent
    Then no Patient is found through the other system (GPC-DOC-FIND-003)

  @req:GPC-DOC-SRCH-001 @each-found-patient
  Scenario: A found patient's documents are searched
    Given a document search request for the found patient
    When the request is sent
    Then the response status is 200 (GPC-DOC-SRCH-001)
    And the response is a searchset Bundle (GPC-DOC-SRCH-001)

  @req:GPC-DOC-CHAIN-001 @req:GPC-DOC-CHAIN-002 @each-found-document
  Scenario: A found document is offered by the full URL of a Binary
    Given the found document
    Then its attachment url is the full URL of a Binary (GPC-DOC-CHAIN-001)
    And its attachment url is on the searched service root (GPC-DOC-CHAIN-002)

  @req:GPC-DOC-CHAIN-003 @req:GPC-DOC-CHAIN-004 @req:GPC-DOC-CHAIN-005
  @each-retrievable-found-document
  Scenario: A found document is retrieved as the Binary its attachment describes
    Given a valid request for the Binary the found document names
    When the request is sent
    Then the response status is 200 (GPC-DOC-CHAIN-003)
    And the Binary id is the requested id (GPC-DOC-CHAIN-003)
    And the Binary contentType is the attachment's (GPC-DOC-CHAIN-004)
    And the Binary's decoded size is the attachment's size (GPC-DOC-CHAIN-005)

  @req:GPC-DOC-CHAIN-006 @req:GPC-DOC-CHAIN-001 @req:GPC-DOC-RD-008
  @each-oversize-found-document
  Scenario: A found document over the 5 MB limit is offered as a placeholder
    Given the found document
    Then its attachment has a title saying why it is not offered (GPC-DOC-CHAIN-006)
    And its attachment url is the full URL of a Binary (GPC-DOC-CHAIN-001)
    And a url it still carries answers HTTP 404 NO_RECORD_FOUND (GPC-DOC-RD-008)
