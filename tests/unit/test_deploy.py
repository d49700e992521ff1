"""The deployment files: Kubernetes manifests valid against the Kubernetes JSON schemas (offline,
kubernetes-validate), consistent with each other and with the server; the Dockerfile's shape."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from server.api.auth import load_callers
from server.ops.health import LIVENESS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VERSION = kubernetes_validate.latest_version()


def documents() -> list[tuple[Path, dict]]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        docs.extend((path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def manifest(kind: str, name: str) -> dict:
    [doc] = [d for _, d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def container(name: str) -> dict:
    [found] = [c for c in manifest("Deployment", "verdict")["spec"]["template"]["spec"]["containers"] if c["name"] == name]
    return found


@pytest.mark.parametrize("path, doc", documents(), ids=lambda v: v.name if isinstance(v, Path) else v.get("kind"))
def test_every_manifest_is_valid_against_the_kubernetes_schema(path, doc):
    kubernetes_validate.validate(doc, VERSION, strict=True)


def test_the_manifests_hold_what_a_deployment_needs():
    kinds = {d["kind"] for _, d in documents()}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "HorizontalPodAutoscaler",
            "PersistentVolumeClaim"} <= kinds


@pytest.mark.parametrize("break_it, where", [
    (lambda d: d["spec"]["template"]["spec"]["containers"][0]["ports"][0].update(containerPort="50051"), "containerPort"),
    (lambda d: d["spec"].update(replica=3), "replica"),  # a misspelt field: only strict validation sees it
    (lambda d: d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"].pop("port"), "port"),
])
def test_an_invalid_manifest_fails_validation(break_it, where):
    broken = copy.deepcopy(manifest("Deployment", "verdict"))
    break_it(broken)
    with pytest.raises(kubernetes_validate.ValidationError) as error:
        kubernetes_validate.validate(broken, VERSION, strict=True)
    assert where in str(error.value.message) + str(list(error.value.path))


def port_of(listen: str) -> int:
    return int(listen.rpartition(":")[2])


def test_the_server_is_probed_through_its_grpc_health_port():
    config = manifest("ConfigMap", "verdict-config")["data"]
    server = container("verdict")
    health_port = port_of(config["VERDICT_HEALTH_LISTEN"])
    assert server["readinessProbe"]["grpc"] == {"port": health_port}  # overall status: OPA and the store
    assert server["livenessProbe"]["grpc"] == {"port": health_port, "service": LIVENESS}
    assert server["startupProbe"]["grpc"]["port"] == health_port
    assert {p["containerPort"] for p in server["ports"]} == {port_of(config["VERDICT_LISTEN"]), health_port}


def test_the_opa_sidecar_pulls_from_the_servers_bundle_service_with_the_shipped_config():
    config = manifest("ConfigMap", "verdict-config")["data"]
    files = manifest("ConfigMap", "verdict-files")["data"]
    assert files["opa.yaml"] == (ROOT / "deploy" / "opa.yaml").read_text()  # the shipped file, verbatim
    opa_yaml = yaml.safe_load(files["opa.yaml"])
    service = opa_yaml["services"]["verdict"]
    assert port_of(service["url"]) == port_of(config["VERDICT_HTTP_LISTEN"])
    assert config["VERDICT_HTTP_LISTEN"].startswith("127.0.0.1:")  # in the pod: the token never leaves it
    opa = container("opa")
    args = opa["args"]
    assert args[:2] == ["run", "--server"] and "--config-file=/etc/opa/opa.yaml" in args
    mounts = {m["mountPath"]: m["name"] for m in opa["volumeMounts"]}
    assert mounts["/etc/opa"] == "files"
    token_dir = str(Path(service["credentials"]["bearer"]["token_path"]).parent)
    assert mounts[token_dir] == "bundle-token"
    key_id = opa_yaml["bundles"]["verdict"]["signing"]["keyid"]
    assert f"--set-file=keys.{key_id}.key=/etc/opa/bundle-signing.pub" in args and "bundle-signing.pub" in files
    # the server serves the ConfigMap verdict-bundle and checks signatures with the same public key
    server_mounts = {m["mountPath"]: m["name"] for m in container("verdict")["volumeMounts"]}
    assert server_mounts[config["VERDICT_BUNDLE_SERVICE_DIR"]] == "bundles"
    assert config["VERDICT_BUNDLE_VERIFICATION_KEY"] == "/etc/verdict/config/bundle-signing.pub"
    assert server_mounts["/etc/verdict/config"] == "files"
    volumes = {v["name"]: v for v in manifest("Deployment", "verdict")["spec"]["template"]["spec"]["volumes"]}
    assert volumes["bundles"]["configMap"] == {"name": "verdict-bundle", "optional": True}
    assert opa_yaml["bundles"]["verdict"]["resource"] == "bundles/verdict.tar.gz"


def test_every_setting_in_the_configmap_is_one_the_server_reads(tmp_path):
    sources = "".join(p.read_text() for p in (ROOT / "server").rglob("*.py"))
    config = manifest("ConfigMap", "verdict-config")["data"]
    for name in config:
        assert f'"{name}"' in sources, f"{name} is not read by the server"
    callers = tmp_path / "callers.toml"
    callers.write_text(manifest("ConfigMap", "verdict-files")["data"]["callers.toml"])
    assert any("bundle:read" in c.scopes for c in load_callers(callers).values())


def test_secrets_and_selectors_line_up():
    deployment = manifest("Deployment", "verdict")
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert manifest("PodDisruptionBudget", "verdict")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = manifest("Service", "verdict")
    assert service["spec"]["selector"].items() <= labels.items()
    named = {p["name"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= named
    hpa = manifest("HorizontalPodAutoscaler", "verdict")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "verdict"}
    assert hpa["metrics"][0]["pods"]["metric"]["name"] == "verdict_decisions_per_second"
    secret_keys = set(manifest("Secret", "verdict-secrets")["stringData"])
    used = {e["valueFrom"]["secretKeyRef"]["key"] for e in container("verdict")["env"]}
    used |= {i["key"] for v in pod["spec"]["volumes"] if v.get("secret", {}).get("secretName") == "verdict-secrets"
             for i in v["secret"]["items"]}
    assert used <= secret_keys
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v}
    assert claims == {"verdict-witness"}
    for c in pod["spec"]["containers"]:
        assert c["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]}}
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuations joined, comments dropped), by stage."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "deploy" / "Dockerfile").read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_dockerfile_builds_with_make_install_and_runs_unprivileged():
    build, runtime = dockerfile_stages()
    assert build[0].endswith(" AS build") and runtime[0].endswith(" AS runtime")
    assert any(i.startswith("RUN ") and "make install" in i for i in build)  # the steps of make setup
    assert any(i.startswith("COPY --from=build ") for i in runtime)
    users = [i.split()[1] for i in runtime if i.startswith("USER ")]
    assert users and users[-1].split(":")[0].isdigit() and int(users[-1].split(":")[0]) > 0
    assert runtime[-1] == 'ENTRYPOINT ["python", "-m", "server"]'
    assert int(users[-1].split(":")[0]) == manifest("Deployment", "verdict")["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^setup: install ", makefile, re.M) and re.search(r"^install: \$\(STAMP\) proto \$\(HTMX\)", makefile, re.M)
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().split()
    assert {".git", ".venv", "var"} <= set(ignored)
