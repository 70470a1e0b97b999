"""One router module per surface."""
