"""What an exchange must show: one function per expectation, the transport judgements, and the
Judge that alone turns findings into MUST and SHOULD verdicts."""
