"""Sending and observing: the HTTP client, TLS contexts, raw TLS probes, the tester preflight and
the exchange record each request leaves behind."""
