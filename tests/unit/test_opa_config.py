"""The sidecar reads OPA's configuration file and overrides as `opa run` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.engine.opa_config import OpaConfigError, bundle_sources, load_config

ROOT = Path(__file__).resolve().parents[2]
OPA_YAML = ROOT / "deploy" / "opa.yaml"


def test_the_shipped_opa_yaml_with_overrides(tmp_path):
    (tmp_path / "pub.pem").write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    config = load_config(OPA_YAML, sets=["services.verdict.url=http://10.0.0.7:9000/",
                                         "bundles.verdict.polling.min_delay_seconds=1,bundles.verdict.polling.max_delay_seconds=2"],
                         set_files=[f"keys.verdict-bundles.key={tmp_path / 'pub.pem'}"])
    [source] = bundle_sources(config)
    assert source.name == "verdict"
    assert source.url == "http://10.0.0.7:9000/bundles/verdict.tar.gz"
    assert source.token_path == Path("/var/run/secrets/verdict/bundle-token") and source.token is None
    assert (source.min_delay, source.max_delay) == (1.0, 2.0)
    assert source.verification is not None and source.verification.key_id == "verdict-bundles"
    key = source.verification.keys["verdict-bundles"]
    assert key.algorithm == "RS256" and key.key.startswith("-----BEGIN PUBLIC KEY-----")


def test_environment_substitution_and_a_token_file_read_on_each_request(tmp_path, monkeypatch):
    monkeypatch.setenv("BUNDLE_URL", "https://bundles.example")
    (tmp_path / "opa.yaml").write_text(
        "services:\n  - name: s\n    url: ${BUNDLE_URL}\n    credentials:\n      bearer:\n        token_path: " + str(tmp_path / "t") +
        "\nbundles:\n  authz/bundle.tar.gz:\n    service: s\n")
    (tmp_path / "t").write_text("first\n")
    [source] = bundle_sources(load_config(tmp_path / "opa.yaml"))
    assert source.url == "https://bundles.example/bundles/authz/bundle.tar.gz"  # OPA's default resource
    assert source.verification is None and (source.min_delay, source.max_delay) == (60.0, 120.0)
    assert source.authorization() == "Bearer first"
    (tmp_path / "t").write_text("second")
    assert source.authorization() == "Bearer second"


def test_escaped_dots_in_set_keys():
    config = load_config(None, sets=[r"services.opa\.example\.com.url=https://opa.example.com", "bundles.b.service=opa.example.com",
                                     "services.opa\\.example\\.com.credentials.bearer.token=abc"])
    [source] = bundle_sources(config)
    assert source.url == "https://opa.example.com/bundles/b" and source.authorization() == "Bearer abc"


@pytest.mark.parametrize("sets, message", [
    (["bundles.b.service=nowhere"], "unknown service"),
    (["services.s.url=http://x", "services.s.credentials.oauth2.token_url=http://t", "bundles.b.service=s"], "oauth2 not supported"),
    (["services.s.url=http://x", "bundles.b.service=s", "bundles.b.polling.min_delay_seconds=5",
      "bundles.b.polling.max_delay_seconds=1"], "min_delay_seconds"),
    (["novalue"], "expected key=value"),
])
def test_unusable_configurations_are_named(sets, message):
    with pytest.raises(OpaConfigError, match=message):
        bundle_sources(load_config(None, sets=sets))
