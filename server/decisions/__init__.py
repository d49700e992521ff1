"""From a request to a recorded decision: masking, OPA input, result mapping."""
