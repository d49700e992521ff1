"""The server's operations endpoints, next to the gRPC API: an HTTP port (the
OPA Bundle Service API; other operations endpoints such as metrics mount
beside it) and a plaintext gRPC health port for orchestrators' probes."""
