"""OPA's configuration file, the part the sidecar implements: bundle downloads.

The sidecar reads the same file as ``opa run --server --config-file
opa.yaml`` (``deploy/opa.yaml``) with OPA's overrides (``--set``,
``--set-file``) and ``${ENV}`` substitution, and takes from it what
downloading a bundle needs:

- ``services.<name>``: ``url``, ``headers``, ``credentials.bearer``
  (``token`` or ``token_path``, ``scheme``), ``tls.ca_cert``;
- ``bundles.<name>``: ``service``, ``resource`` (default ``bundles/<name>``),
  ``polling.min_delay_seconds`` / ``max_delay_seconds`` (default 60 / 120),
  ``signing.keyid`` / ``scope`` / ``exclude_files``;
- ``keys.<id>``: ``key`` (PEM public key or HMAC secret), ``algorithm``
  (default RS256), ``scope``.

Other sections (decision logs, status, discovery, ...) are accepted and
ignored; credentials other than a bearer token are refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from server.engine.bundle_signing import DEFAULT_ALGORITHM, VerificationConfig, VerificationKey

_ENV = re.compile(r"\$\{([^}]*)\}")
_INT = re.compile(r"[-+]?\d+")
DEFAULT_MIN_DELAY = 60.0
DEFAULT_MAX_DELAY = 120.0


class OpaConfigError(ValueError):
    """The configuration cannot be used; the text names the key."""


def substitute_env(text: str) -> str:
    """``${NAME}`` -> the environment variable (empty when unset), as OPA does."""
    return _ENV.sub(lambda m: os.environ.get(m.group(1), ""), text)


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` except where it is escaped with a backslash (``services.opa\\.example\\.com.url``)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char if char == sep else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current) + ("\\" if escaped else ""))
    return parts


def _scalar(value: str) -> Any:
    """A ``--set`` value: true/false, null and integers are typed, anything else is a string."""
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INT.fullmatch(value):
        return int(value)
    return value


def set_value(config: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.c`` in ``config``, making the objects on the way."""
    path = _split(key, ".")
    if not all(path) or any("[" in part for part in path):
        raise OpaConfigError(f"cannot set {key!r}: use dotted object keys (lists are not supported)")
    node = config
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def load_config(path: Path | None = None, sets: Sequence[str] = (), set_files: Sequence[str] = ()) -> dict[str, Any]:
    """The configuration file with ``--set key=value[,key=value]`` and ``--set-file key=path`` applied."""
    config: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(substitute_env(Path(path).read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError) as exc:
            raise OpaConfigError(f"{path}: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise OpaConfigError(f"{path}: the configuration must be an object")
        config = loaded or {}
    for item in sets:
        for pair in _split(item, ","):
            key, sep, value = pair.partition("=")
            if not sep:
                raise OpaConfigError(f"--set {pair!r}: expected key=value")
            set_value(config, key, _scalar(substitute_env(value)))
    for item in set_files:
        key, sep, file = item.partition("=")
        if not sep:
            raise OpaConfigError(f"--set-file {item!r}: expected key=path")
        try:
            set_value(config, key, Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise OpaConfigError(f"--set-file {key}: {exc}") from None
    return config


@dataclass(frozen=True)
class BundleSource:
    """Where one bundle is downloaded from and how it is checked."""

    name: str
    url: str
    token: str | None = None
    token_path: Path | None = None
    scheme: str = "Bearer"
    headers: Mapping[str, str] = field(default_factory=dict)
    ca_cert: Path | None = None
    min_delay: float = DEFAULT_MIN_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    verification: VerificationConfig | None = None

    def authorization(self) -> str | None:
        """The Authorization header; a token file is read again on every request, as OPA does."""
        token = self.token
        if self.token_path is not None:
            token = self.token_path.read_text(encoding="utf-8").strip()
        return f"{self.scheme} {token}" if token else None


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OpaConfigError(f"{where} must be an object")
    return value


def _services(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    services = config.get("services") or {}
    if isinstance(services, list):  # OPA also takes a list of {name: ..., ...}
        return {str(s.get("name", "")): s for s in services if isinstance(s, dict)}
    return {str(name): _object(s, f"services.{name}") for name, s in _object(services, "services").items()}


def _keys(config: Mapping[str, Any]) -> dict[str, VerificationKey]:
    keys = {}
    for key_id, entry in _object(config.get("keys"), "keys").items():
        entry = _object(entry, f"keys.{key_id}")
        if entry.get("key"):
            keys[str(key_id)] = VerificationKey(str(entry["key"]), str(entry.get("algorithm") or DEFAULT_ALGORITHM),
                                                str(entry.get("scope") or ""))
    return keys


def bundle_sources(config: Mapping[str, Any]) -> list[BundleSource]:
    """Every bundle the configuration downloads."""
    services, keys, sources = _services(config), _keys(config), []
    for name, bundle in _object(config.get("bundles"), "bundles").items():
        where = f"bundles.{name}"
        bundle = _object(bundle, where)
        service_name = bundle.get("service") or (next(iter(services)) if len(services) == 1 else "")
        if service_name not in services:
            raise OpaConfigError(f"{where}.service: unknown service {service_name!r}")
        service = services[service_name]
        if not service.get("url"):
            raise OpaConfigError(f"services.{service_name}.url is required")
        credentials = _object(service.get("credentials"), f"services.{service_name}.credentials")
        unsupported = set(credentials) - {"bearer"}
        if unsupported:
            raise OpaConfigError(f"services.{service_name}.credentials: {', '.join(sorted(unsupported))} not supported by "
                                 "this sidecar (use bearer)")
        bearer = _object(credentials.get("bearer"), f"services.{service_name}.credentials.bearer")
        polling = _object(bundle.get("polling"), f"{where}.polling")
        min_delay = float(polling.get("min_delay_seconds") or DEFAULT_MIN_DELAY)
        max_delay = float(polling.get("max_delay_seconds") or max(min_delay, DEFAULT_MAX_DELAY))
        if min_delay <= 0 or max_delay < min_delay:
            raise OpaConfigError(f"{where}.polling: need 0 < min_delay_seconds <= max_delay_seconds")
        verification = None
        if bundle.get("signing") is not None:
            signing = _object(bundle["signing"], f"{where}.signing")
            verification = VerificationConfig(keys, str(signing.get("keyid") or ""), str(signing.get("scope") or ""),
                                              tuple(str(p) for p in signing.get("exclude_files") or ()))
        resource = str(bundle.get("resource") or f"bundles/{name}")
        tls = _object(service.get("tls"), f"services.{service_name}.tls")
        sources.append(BundleSource(
            name=str(name), url=f"{str(service['url']).rstrip('/')}/{resource.lstrip('/')}",
            token=str(bearer["token"]) if bearer.get("token") else None,
            token_path=Path(bearer["token_path"]) if bearer.get("token_path") else None,
            scheme=str(bearer.get("scheme") or "Bearer"),
            headers={str(k): str(v) for k, v in _object(service.get("headers"), f"services.{service_name}.headers").items()},
            ca_cert=Path(tls["ca_cert"]) if tls.get("ca_cert") else None,
            min_delay=min_delay, max_delay=max_delay, verification=verification))
    return sources
