"""Policy engines: how the server reaches OPA (REST sidecar or embedded)."""
