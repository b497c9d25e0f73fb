Feature: Spine Secure Proxy headers
  Every request carries Ssp-TraceID, Ssp-From, Ssp-To and Ssp-InteractionID. The provider
  checks they are all present, that Ssp-To is its own ASID and that Ssp-InteractionID matches
  the interaction, and rejects a request that fails a check as a malformed request. Headers
  a proxy adds, and headers it does not know, do not stop a valid request.
  Spec: security guidance (Secure connection negotiation), error-handling guidance
  (Malformed request errors), "Retrieve a document" (Request headers), general API guidance
  (Proxying headers).

  @req:GPC-DOC-HDR-001
  Scenario Outline: A request without <header> is rejected
    Given a valid request for the first configured document
    And the request has no <header> header
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST (GPC-DOC-HDR-001)

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:GPC-DOC-HDR-002
  Scenario Outline: A request with an empty <header> is rejected
    Given a valid request for the first configured document
    And the request's <header> header is empty
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST (GPC-DOC-HDR-002)

    Examples:
      | header            |
      | Ssp-TraceID       |
      | Ssp-From          |
      | Ssp-To            |
      | Ssp-InteractionID |

  @req:GPC-DOC-HDR-003
  Scenario: A request addressed to another ASID is rejected
    Given a valid request for the first configured document
    And the request's Ssp-To header names another ASID
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST (GPC-DOC-HDR-003)

  @req:GPC-DOC-HDR-004
  Scenario Outline: A request naming the <interaction> interaction is rejected
    Given a valid request for the first configured document
    And the request's Ssp-InteractionID is the <interaction> interaction id
    When the request is sent
    Then the request is rejected: HTTP 400 BAD_REQUEST (GPC-DOC-HDR-004)

    Examples:
      | interaction                        |
      | DocumentReference search           |
      | metadata read                      |
      | other specification's binary read  |

  @req:GPC-DOC-HDR-005
  Scenario Outline: Spine header names in <case> letters are accepted
    Given a valid request for the first configured document
    And the request's Spine header names are in <case> letters
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-HDR-005)

    Examples:
      | case  |
      | lower |
      | upper |

  @req:GPC-DOC-HDR-006
  Scenario Outline: A valid request carrying the proxy header <header> is accepted
    Given a valid request for the first configured document
    And the request's <header> header is "<value>"
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-HDR-006)

    Examples:
      | header            | value                            |
      | Forwarded         | for=192.0.2.10;proto=https       |
      | X-Forwarded-For   | 192.0.2.10                       |
      | X-Forwarded-Proto | https                            |

  @req:GPC-DOC-HDR-007
  Scenario: A valid request carrying a header the provider does not know is accepted
    Given a valid request for the first configured document
    And the request's X-Something header is "gpc-assure"
    When the request is sent
    Then the request is accepted: HTTP 200 with a Binary (GPC-DOC-HDR-007)
