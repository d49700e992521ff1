"""The decision log: durable, hash-chained, written before any answer."""
