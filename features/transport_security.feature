Feature: Transport security
  Connections use TLS 1.2 with mutual authentication: the provider authenticates the client
  certificate (its chain of trust, its validity period and the Spine Secure Proxy's host name),
  refuses older protocols and ciphers outside the approved list, accepts only encrypted
  connections, and employs HSTS.
  Spec: security guidance (Secure connection negotiation, SSL and TLS protocols, Supported
  ciphers, Client certificates) and general API guidance (Internet standards).
  These scenarios probe the provider directly; they are skipped through a proxy or over plain HTTP.
  Every connection sends the complete valid request (Spine headers and bearer token) for the
  first configured document, so that only what the scenario takes away is missing.
  Refused means: the handshake fails (or a TLS alert or close ends the session before any
  answer), or the answer is not 2xx and carries no document, such as nginx's
  "400 No required SSL certificate was sent". The result says which of the two it was.
  Connections that ask whether something is refused do not verify the provider's certificate;
  only "The provider's certificate chains to the configured CA" judges it. Connections that ask
  whether the valid set-up is accepted do verify it, and end in error when it does not verify.
  A suite offered alone that the provider's key type cannot use (RSA suites against an EC key,
  or the reverse) is refused whatever the provider's configuration.

  @req:GPC-DOC-TLS-003
  Scenario: TLS 1.2 with the client certificate is accepted; TLS 1.3 is reported, not judged
    When a TLS connection is attempted with the client certificate over TLS 1.2
    Then the connection is accepted over TLSv1.2 (GPC-DOC-TLS-003)
    When a TLS connection is attempted with the client certificate over TLS 1.3
    Then whether TLS 1.3 is accepted is reported, not judged (GPC-DOC-TLS-003)

  @req:GPC-DOC-TLS-008
  Scenario: The provider's certificate chains to the configured CA and names its host
    When a TLS connection is attempted with the client certificate
    Then the provider's certificate was verified against the configured CA and host name (GPC-DOC-TLS-008)

  @req:GPC-DOC-TLS-001
  Scenario: A request without a client certificate is refused
    When a TLS connection is attempted without a client certificate
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-001)

  @req:GPC-DOC-TLS-002
  Scenario: A client certificate outside the chain of trust is refused
    When a TLS connection is attempted with a self-signed client certificate
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-002)

  @req:GPC-DOC-TLS-009
  Scenario: An expired client certificate from the chain of trust is refused
    When a TLS connection is attempted with the expired client certificate
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-009)

  @req:GPC-DOC-TLS-010
  Scenario: A client certificate naming a host other than the Spine Secure Proxy is refused
    When a TLS connection is attempted with the client certificate naming another host
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-010)

  @req:GPC-DOC-TLS-004
  Scenario Outline: <protocol> is refused
    When a TLS connection is attempted with the client certificate over <protocol>
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-004)

    Examples:
      | protocol |
      | TLS 1.0  |
      | TLS 1.1  |

  @req:GPC-DOC-TLS-005
  Scenario: Every TLS 1.2 cipher suite the local TLS library has outside the approved list is refused
    When a TLS connection is attempted with the client certificate offering every local TLS 1.2 cipher outside the approved list
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-005)

  @req:GPC-DOC-TLS-005
  Scenario Outline: The non-approved TLS 1.2 cipher <cipher> offered alone is refused
    When a TLS connection is attempted with the client certificate offering only the TLS 1.2 cipher <cipher>
    Then the request is refused, in the handshake or by an answer without the document (GPC-DOC-TLS-005)

    Examples:
      | cipher                        |
      | ECDHE-ECDSA-AES128-SHA        |
      | ECDHE-ECDSA-AES128-SHA256     |
      | ECDHE-ECDSA-CHACHA20-POLY1305 |
      | ECDHE-RSA-AES128-SHA          |
      | ECDHE-RSA-AES128-SHA256       |
      | AES128-SHA256                 |

  @req:GPC-DOC-TLS-005
  Scenario: The approved TLS 1.2 ciphers are accepted
    When a TLS connection is attempted with the client certificate offering only the approved TLS 1.2 ciphers
    Then the connection is accepted over TLSv1.2 (GPC-DOC-TLS-005)

  @req:GPC-DOC-TLS-006
  Scenario: Responses carry Strict-Transport-Security
    Given the provider is reached directly over HTTPS
    And a valid request for the first configured document
    When the request is sent
    Then the response status is 200, else GPC-DOC-TLS-006 cannot be judged
    And the response has Strict-Transport-Security with a max-age (GPC-DOC-TLS-006)

  @req:GPC-DOC-TLS-007
  Scenario: A plain-HTTP request to the provider's port is not served
    When a plain-HTTP request is sent to the provider's port
    Then no document is served over it (GPC-DOC-TLS-007)
