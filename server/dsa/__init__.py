"""The EU Digital Services Act: statements of reasons, notices, transparency reports."""
