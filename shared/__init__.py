"""What the server and its clients both need, and nothing of either.

Installed with the server (``verdict``) and with the client alone
(``verdict-client``), so it imports neither ``server`` nor ``clients``
(an import-linter contract in pyproject.toml holds it to that) and needs
nothing beyond protobuf, cryptography and orjson:

- ``protojson``: protobuf JSON that people write by hand (short enum names);
- ``timeutil``: times as RFC 3339 UTC text;
- ``tlog``: the decision log's formats and their checks (signed checkpoints,
  Merkle proofs, the leaf bytes of a record), so that a proof can be checked
  by anyone with the log's public key, without the server;
- ``terminal``: printing for the two command lines, ``verdict`` and ``verdict-admin``;
- ``dsa_batches``: the files of DSA statements that ``verdict dsa statements``
  writes and ``verdict-admin dsa submit`` sends.
"""
