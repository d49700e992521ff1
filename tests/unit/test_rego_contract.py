"""The Rego's contract: typed input, annotations, a policy-only bundle, OPA's style.

The tests marked ``needs_opa`` run the real ``opa`` binary (OPA v1.x) and are
skipped where there is none: the embedded engine does not type-check schema
annotations (``opa check``/``opa test``/``opa eval`` do), and cannot format
or optimise. The others check the same contract with what runs everywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from server.engine.bundle import Bundle
from server.policytools import schemas, timezones
from server.policytools.annotations import bundle_annotations, module_annotations

ROOT = Path(__file__).resolve().parents[2]
REGO = ROOT / "rego"
OPA = shutil.which("opa")
needs_opa = pytest.mark.skipif(OPA is None, reason="needs the real opa binary (OPA v1.x)")

BUNDLE = Bundle.from_directory(REGO, tests=True)
POLICY_MODULES = {p: s for p, s in Bundle.from_directory(REGO).modules.items()}


def opa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([OPA, *args], cwd=cwd, capture_output=True, text=True)  # type: ignore[list-item]


# ---------------------------------------------------------------- input schemas

def test_schemas_and_their_annotation_are_generated_from_the_proto():
    """`make schemas` output is committed and current: the annotation OPA checks against is the proto's shape."""
    for path, content in schemas.generated().items():
        assert path.read_text(encoding="utf-8") == content, f"{path.relative_to(ROOT)} is stale: run make schemas"


def test_the_schema_closes_every_object_the_policies_read():
    schema = json.loads((ROOT / "schemas" / "input.json").read_text())
    case = schema["properties"]["case"]
    assert schema["additionalProperties"] is False and case["additionalProperties"] is False
    facts = case["properties"]["violation"]["properties"]["ei"]["properties"]
    assert facts["confirmed"]["type"] == "boolean" and "Not stated" in facts["confirmed"]["description"]
    assert schema["properties"]["account"]["properties"]["followers"]["type"] == "integer"
    assert schema["properties"]["groups"]["additionalProperties"]["properties"]["terrorist_organisation"]["type"] == "boolean"


def _schema_paths(node: dict, prefix: str = "input") -> set[str]:
    paths = {prefix}
    props = node.get("properties") or {}
    for name, child in props.items():
        paths |= _schema_paths(child.get("items", child), f"{prefix}.{name}")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        paths |= _schema_paths(extra, f"{prefix}[_]")
    return paths


INPUT_REF = r"((?:\.[a-z_]+|\[[a-z_.]+\])+)"
INPUT_IMPORT = re.compile(r"^import input((?:\.[a-z_]+)+)(?: as ([a-z_]+))?$", re.MULTILINE)


def _input_refs(source: str) -> dict[str, re.Pattern]:
    """The names a module reads input by: `input` itself and every `import input.x.y [as z]`."""
    names = {"input": (re.compile(r"\binput" + INPUT_REF), "")}
    for imported, alias in INPUT_IMPORT.findall(source):
        name = alias or imported.rsplit(".", 1)[1]
        names[name] = (re.compile(r"\b" + name + INPUT_REF), imported)
    return names


def test_every_input_field_a_policy_reads_is_in_the_schema():
    """What OPA's type checker does with the annotation, for the plain `input.x.y` refs
    and the refs through an `import input.x as y`, so a misspelling is caught here too
    (the real check is test_misspelled_input_field_...)."""
    known = _schema_paths(json.loads((ROOT / "schemas" / "input.json").read_text()))
    unknown = []
    for path, source in POLICY_MODULES.items():
        refs = _input_refs(source)
        for n, line in enumerate(source.splitlines(), 1):
            code = line.split("#", 1)[0]
            if code.startswith("import "):
                continue
            for pattern, prefix in refs.values():
                for match in pattern.finditer(code):
                    ref = "input" + prefix + re.sub(r"\[[a-z_.]+\]", "[_]", match.group(1))
                    if ref not in known:
                        unknown.append(f"{path}:{n}: {ref}")
    assert not unknown, "input fields not in schemas/input.json:\n" + "\n".join(unknown)


@needs_opa
def test_misspelled_input_field_is_a_compile_error(tmp_path):
    bundle = tmp_path / "rego"
    shutil.copytree(REGO, bundle)
    assert opa("check", "--strict", "--bundle", str(bundle)).returncode == 0
    (bundle / "verdict" / "typo.rego").write_text(
        "package verdict.typo\n\nimport rego.v1\n\nkind := input.case.contnt.kind\n"
    )
    out = opa("check", "--strict", "--bundle", str(bundle))
    assert out.returncode != 0 and "contnt" in (out.stdout + out.stderr)
    (bundle / "verdict" / "typo.rego").write_text(
        "package verdict.typo\n\nimport rego.v1\n\nn := count(input.account.followers)\n"
    )
    out = opa("check", "--strict", "--bundle", str(bundle))
    assert out.returncode != 0 and "rego_type_error" in (out.stdout + out.stderr)


# ---------------------------------------------------------------- annotations

def test_every_metadata_block_parses_and_belongs_to_a_statement():
    for path, source in BUNDLE.modules.items():
        lines = source.splitlines()
        for annotation in module_annotations(path, source):
            statement = lines[annotation.row - 1]
            assert statement.strip() and not statement.startswith("#"), f"{path}:{annotation.row}: METADATA not above a statement"


def test_the_four_queries_are_annotated_entrypoints():
    entrypoints = {a.ref for a in bundle_annotations(POLICY_MODULES).values() if a.entrypoint}
    assert entrypoints == {
        "data.verdict.decision.result", "data.verdict.pi.assessment", "data.verdict.report.result", "data.verdict.group.result",
    }


def test_annotated_clauses_are_in_the_catalog():
    catalog = {cid for entries in BUNDLE.data["verdict"]["catalog"].values() for cid in entries}
    for annotation in bundle_annotations(POLICY_MODULES).values():
        assert set(annotation.clauses) <= catalog, f"{annotation.ref} names clauses the catalog lacks"


# ---------------------------------------------------------------- the served bundle

def test_the_served_bundle_holds_policies_and_data_only():
    served = Bundle.from_directory(REGO)
    assert not any(p.endswith("_test.rego") or p.startswith("tables/") for p in served.files)
    assert "tables" not in served.data and served.data["verdict"]["config"]["report"]["max_posts_per_report"] == 5


def test_the_time_zones_of_each_country_are_generated_from_tzdata():
    assert (REGO / "verdict" / "config" / "time" / "data.json").read_text(encoding="utf-8") == timezones.document()


# ---------------------------------------------------------------- OPA's style and tools

def test_rego_follows_opa_fmt_layout():
    """What `opa fmt` always produces: tabs, no trailing blanks, sorted imports,
    one blank line at most, one final newline, single-expression bodies on one line."""
    for path, source in BUNDLE.modules.items():
        lines = source.split("\n")
        assert source.endswith("\n") and not source.endswith("\n\n"), f"{path}: must end with one newline"
        imports = [line for line in lines if line.startswith("import ")]
        assert imports == sorted(imports), f"{path}: imports not sorted"
        for n, line in enumerate(lines, 1):
            assert line == line.rstrip(), f"{path}:{n}: trailing whitespace"
            assert not re.match(r"^ +\S", line), f"{path}:{n}: indent with tabs"
            assert not re.search(r"\bif \{ [^{}]* \}$", line), f"{path}:{n}: a one-line body is written without braces"
        assert "\n\n\n" not in source, f"{path}: more than one blank line"


def _statements(source: str) -> list[tuple[int, int]]:
    """(first, last) line index of each top-level statement, an else chain included."""
    lines, spans, depth, start = source.split("\n"), [], 0, None
    for n, line in enumerate(lines):
        code = re.sub(r'"(\\.|[^"\\])*"', '""', line).split("#")[0]
        if start is None and depth == 0 and line[:1] not in ("", "#", "\t"):
            start = n
        depth += sum(code.count(c) for c in "{[(") - sum(code.count(c) for c in "}])")
        if start is not None and depth == 0:
            if spans and line.startswith("else"):
                spans[-1] = (spans[-1][0], n)
            else:
                spans.append((start, n))
            start = None
    return spans


def test_rules_are_separated_as_opa_fmt_separates_them():
    """`opa fmt` puts a blank line after every rule but between one-line rules
    on adjacent lines (format.go: writeRules, groupableOneLiner), and above an
    `else` that starts its own line (writeElse)."""
    for path, source in BUNDLE.modules.items():
        lines = source.split("\n")
        spans = [s for s in _statements(source) if not lines[s[0]].startswith(("package", "import"))]
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            if any(not line.strip() for line in lines[e1 + 1:s2]):
                continue
            grouped = s1 == e1 and s2 == e2 == e1 + 1 and not any(lines[i].startswith("default") for i in (s1, s2))
            assert grouped, f"{path}:{e1 + 1}: opa fmt puts a blank line after this rule"
        for n, line in enumerate(lines):
            assert not (line.startswith("else") and lines[n - 1].strip()), f"{path}:{n + 1}: opa fmt puts a blank line above this else"


@needs_opa
def test_opa_fmt_leaves_every_file_as_it_is():
    out = opa("fmt", "--list", str(REGO))
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr


@needs_opa
def test_opa_check_strict_and_opa_test_pass():
    assert opa("check", "--strict", "--bundle", str(REGO)).returncode == 0
    out = opa("test", "--bundle", str(REGO))
    assert out.returncode == 0, out.stdout + out.stderr


@needs_opa
def test_opa_build_optimised_accepts_the_policies(tmp_path):
    served = tmp_path / "served"
    for path, content in Bundle.from_directory(REGO).files.items():
        (served / path).parent.mkdir(parents=True, exist_ok=True)
        (served / path).write_bytes(content)
    # The entrypoints are annotated too; naming them does not depend on
    # whether this opa reads the annotations for -O.
    entrypoints = [f"-e={q}" for q in ("verdict/decision/result", "verdict/pi/assessment", "verdict/report/result", "verdict/group/result")]
    out = opa("build", "-O=1", *entrypoints, "--bundle", str(served), "-o", str(tmp_path / "bundle.tar.gz"))
    assert out.returncode == 0, out.stdout + out.stderr
