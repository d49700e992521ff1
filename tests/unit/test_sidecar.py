"""The sidecar speaks OPA's REST API with OPA's shapes."""

from __future__ import annotations

import pytest
import requests

from server.engine.bundle import Bundle
from server.engine.rest import RestEngine
from server.engine.base import EngineUnavailable, UndefinedDecision
from server.engine.sidecar import serve

from tests.conftest import free_port


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle")
    (root / "demo").mkdir()
    (root / "demo" / "demo.rego").write_text(
        "package demo\n\nimport rego.v1\n\nallow if input.user == \"alice\"\n\nbroken := x if x := 1 / input.zero\n"
    )
    (root / "demo" / "data.json").write_text('{"limit": 3}')
    port = free_port()
    server = serve(root, "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}", Bundle.from_directory(root)
    server.shutdown()


def test_post_data_with_input_and_provenance(sidecar):
    url, bundle = sidecar
    answer = requests.post(f"{url}/v1/data/demo/allow?provenance=true", json={"input": {"user": "alice"}}).json()
    assert answer["result"] is True
    assert answer["provenance"]["bundles"]["verdict"]["revision"] == bundle.revision
    assert answer["provenance"]["version"]


def test_undefined_document_has_no_result(sidecar):
    url, _ = sidecar
    answer = requests.post(f"{url}/v1/data/demo/allow", json={"input": {"user": "bob"}})
    assert answer.status_code == 200 and "result" not in answer.json()


def test_missing_input_warns_like_opa(sidecar):
    url, _ = sidecar
    answer = requests.post(f"{url}/v1/data/demo/limit").json()
    assert answer["result"] == 3
    assert answer["warning"]["code"] == "api_usage_warning"


def test_get_data_and_input_parameter(sidecar):
    url, _ = sidecar
    assert requests.get(f"{url}/v1/data/demo/limit").json() == {"result": 3}
    assert requests.get(f"{url}/v1/data/demo/allow", params={"input": '{"user": "alice"}'}).json()["result"] is True


def test_malformed_body_is_invalid_parameter(sidecar):
    url, _ = sidecar
    answer = requests.post(f"{url}/v1/data/demo/allow", data=b"{not json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_parameter"


def test_evaluation_error_is_internal_error(sidecar):
    url, _ = sidecar
    answer = requests.post(f"{url}/v1/data/demo/broken", json={"input": {"zero": 0}})
    assert answer.status_code == 500 and answer.json()["code"] == "internal_error"


def test_writes_are_refused_because_the_bundle_owns_every_path(sidecar):
    url, _ = sidecar
    for method in ("put", "patch", "delete"):
        answer = getattr(requests, method)(f"{url}/v1/data/demo/limit", json=5)
        assert answer.status_code == 400 and "owned by bundle" in answer.json()["message"]
    assert requests.put(f"{url}/v1/policies/x", data="package x").status_code == 400


def test_policies_and_health(sidecar):
    url, _ = sidecar
    listed = requests.get(f"{url}/v1/policies").json()["result"]
    assert [p["id"] for p in listed] == ["demo/demo.rego"]
    assert "allow if" in requests.get(f"{url}/v1/policies/demo/demo.rego").json()["result"]["raw"]
    missing = requests.get(f"{url}/v1/policies/nope.rego")
    assert missing.status_code == 404 and missing.json()["code"] == "resource_not_found"
    assert requests.get(f"{url}/health").json() == {}


def test_rest_engine_reads_result_and_revision(sidecar):
    url, bundle = sidecar
    engine = RestEngine(url)
    evaluation = engine.evaluate("demo/allow", {"user": "alice"})
    assert evaluation.result is True and evaluation.revision == bundle.revision
    with pytest.raises(UndefinedDecision):
        engine.evaluate("demo/allow", {"user": "bob"})
    assert engine.healthy()


def test_rest_engine_unreachable_is_unavailable():
    engine = RestEngine(f"http://127.0.0.1:{free_port()}", timeout=0.5)
    with pytest.raises(EngineUnavailable):
        engine.evaluate("demo/allow", {})
    assert not engine.healthy()


def test_a_new_bundle_is_activated_in_place_and_a_broken_one_leaves_the_active_one():
    from server.engine.base import PolicyEvaluationError
    from server.engine.sidecar import SidecarState

    state = SidecarState(expected=("verdict",))  # waiting for its first download
    assert state.engine is None and not state.activated()
    first = Bundle.from_files({"x/a.rego": b"package x\n\nimport rego.v1\n\nv := 1\n"})
    state.activate("verdict", first)
    assert state.activated() and state.engine.evaluate("x/v", None).result == 1
    with pytest.raises(PolicyEvaluationError):
        state.activate("verdict", Bundle.from_files({"x/a.rego": b"package x\n\nv := \n"}))
    evaluation = state.engine.evaluate("x/v", None)
    assert (evaluation.result, evaluation.revision) == (1, first.revision)
    second = Bundle.from_files({"x/a.rego": b"package x\n\nimport rego.v1\n\nv := 2\n"})
    state.activate("verdict", second)
    evaluation = state.engine.evaluate("x/v", None)
    assert (evaluation.result, evaluation.revision) == (2, second.revision)  # the answer and its revision together
    state.engine.close()


def test_without_a_bundle_every_document_is_undefined_and_health_waits_for_bundles():
    from server.engine.sidecar import SidecarServer, SidecarState
    import threading

    port = free_port()
    server = SidecarServer(("127.0.0.1", port), SidecarState(expected=("verdict",)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{port}"
        assert requests.get(f"{url}/health").status_code == 200  # the server is up, as OPA's /health says
        assert requests.get(f"{url}/health?bundles").status_code == 500  # ... but has no bundle yet
        answer = requests.post(f"{url}/v1/data/x/v?provenance=true", json={"input": {}}).json()
        assert "result" not in answer and answer["provenance"]["bundles"] == {}
        with pytest.raises(EngineUnavailable, match="no bundle activated"):  # the server fails closed on it
            RestEngine(url).evaluate("x/v", {})
        assert not RestEngine(url).healthy()
    finally:
        server.shutdown()
