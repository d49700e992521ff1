from __future__ import annotations

import pytest

from server.engine.bundle import Bundle, BundleError

MODULE = b"package x\n\nimport rego.v1\n\nallow if input.ok\n"


def test_revision_is_a_content_hash_independent_of_order():
    a = Bundle.from_files({"x/a.rego": MODULE, "x/data.json": b'{"n": 1}'})
    b = Bundle.from_files({"x/data.json": b'{"n": 1}', "x/a.rego": MODULE})
    assert a.revision == b.revision
    assert len(a.revision) == 64


def test_revision_changes_with_any_byte_or_path():
    base = Bundle.from_files({"x/a.rego": MODULE}).revision
    assert Bundle.from_files({"x/a.rego": MODULE + b" "}).revision != base
    assert Bundle.from_files({"y/a.rego": MODULE}).revision != base


def test_data_json_lands_at_its_directory_path():
    bundle = Bundle.from_files({"x/a.rego": MODULE, "verdict/config/ei/data.json": b'{"lock_hours": 12}'})
    assert bundle.data == {"verdict": {"config": {"ei": {"lock_hours": 12}}}}


def test_other_files_are_not_part_of_the_bundle():
    bundle = Bundle.from_files({"x/a.rego": MODULE, "README.md": b"hi", "x/notes.json": b"{}"})
    assert set(bundle.files) == {"x/a.rego"}


def test_bad_json_and_conflicts_are_errors():
    with pytest.raises(BundleError, match="not valid JSON"):
        Bundle.from_files({"x/a.rego": MODULE, "x/data.json": b"{"})
    with pytest.raises(BundleError, match="already defined"):
        Bundle.from_files({"x/a.rego": MODULE, "data.json": b'{"x": {"y": 1}}', "x/data.json": b'{"y": 2}'})
    with pytest.raises(BundleError, match="no .rego"):
        Bundle.from_files({"data.json": b"{}"})


def test_directory_skips_hidden_files(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.rego").write_bytes(MODULE)
    (tmp_path / ".manifest").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.rego").write_bytes(MODULE)
    assert set(Bundle.from_directory(tmp_path).files) == {"p/a.rego"}


def test_tests_and_tables_are_not_served_and_make_no_revision(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.rego").write_bytes(MODULE)
    (tmp_path / "p" / "a_test.rego").write_bytes(b"package x_test\n\nimport rego.v1\n\ntest_ok if true\n")
    (tmp_path / "tables" / "x").mkdir(parents=True)
    (tmp_path / "tables" / "x" / "data.json").write_text('{"cases": []}')
    served = Bundle.from_directory(tmp_path)
    assert set(served.files) == {"p/a.rego"} and "tables" not in served.data
    assert set(Bundle.from_directory(tmp_path, tests=True).files) == {"p/a.rego", "p/a_test.rego", "tables/x/data.json"}
    (tmp_path / "p" / "a_test.rego").write_bytes(b"package x_test\n\nimport rego.v1\n\ntest_other if true\n")
    (tmp_path / "tables" / "x" / "data.json").write_text('{"cases": [{"id": "x-1"}]}')
    assert Bundle.from_directory(tmp_path).revision == served.revision


def test_the_tarball_holds_the_served_files_and_the_revision(tmp_path):
    import io
    import json
    import tarfile

    bundle = Bundle.from_files({"x/a.rego": MODULE, "x/data.json": b'{"n": 1}'})
    with tarfile.open(fileobj=io.BytesIO(bundle.tarball())) as tar:
        assert sorted(tar.getnames()) == ["/.manifest", "/x/a.rego", "/x/data.json"]
        assert json.loads(tar.extractfile("/.manifest").read())["revision"] == bundle.revision
        assert tar.extractfile("/x/a.rego").read() == MODULE
