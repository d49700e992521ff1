"""The gRPC surface: services, validation, errors, interceptors."""
