"""OPA's Bundle Service API: the server hands signed policy bundles to any number of OPA sidecars."""
