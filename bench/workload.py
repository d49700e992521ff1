"""The benchmark's cases: every decision-table case, as a gRPC request and as
the exact OPA input the server would build for it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shared.protojson import parse
from server.db.database import Database
from server.db.migrations import migrate
from server.decisionlog.writer import LogWriter
from server.decisions.masking import Masker
from server.engine.bundle import Bundle
from server.admin.importer import import_record
from server.enforcement.accounts import upsert_account
from server.enforcement.history import save_designation
from server.enrichment.store import AccountReader
from verdict.v1 import account_pb2, case_pb2
from verdict.v1 import policy_service_pb2 as ps


@dataclass
class Workload:
    grpc_requests: list[bytes]        # serialized DecideRequest
    opa_bodies: list[bytes]           # JSON body for POST /v1/data/verdict/decision/result
    opa_inputs: list[dict]            # the same inputs, for the embedded engine


def table_cases(bundle: Bundle) -> list[dict]:
    cases = []
    for doc in (bundle.data.get("tables") or {}).values():
        for case in doc.get("cases", []):
            if case.get("kind", "decide") == "decide" and "grpc_error" not in case:
                cases.append(case)
    return cases


def load_accounts(db_url: str, cases: list[dict], writer: LogWriter) -> None:
    """Every account and group designation the cases use, into the store (and the log, as an import)."""
    db = Database(db_url)
    migrate(db)
    rows: list = []
    with db.transaction(write=True) as cur:
        for case in cases:
            upsert_account(cur, parse(case["input"]["account"], account_pb2.Account()), "bench", rows)
            for designation in (case["input"].get("groups") or {}).values():
                save_designation(cur, designation, rows)
        writer.write(cur, [import_record("bench", rows, {"cases": len(cases)})])
    db.close()


def build(bundle: Bundle, db_url: str, mask_key: bytes, writer: LogWriter) -> Workload:
    cases = table_cases(bundle)
    load_accounts(db_url, cases, writer)
    store = AccountReader(Database(db_url))
    masker = Masker(mask_key)
    grpc_requests, opa_inputs = [], []
    for case in cases:
        request = ps.DecideRequest(case=parse(case["input"]["case"], case_pb2.Case()))
        grpc_requests.append(request.SerializeToString())
        # As the pipeline's prepare step (server/decisions/prepare.py) builds it: the masked case, the stored account, its groups.
        case_doc = masker.mask(json.loads(json.dumps(case["input"]["case"])), case_pb2.Case.DESCRIPTOR)
        account = store.snapshot(case_doc["content"]["author_account_id"]).doc
        group_ids = [g["group_id"] for g in account["groups"]] + [
            f["group_id"] for f in (case_doc["violation"].get(k, {}) for k in ("tve", "cha")) if f.get("group_id")]
        opa_inputs.append({"as_of": case_doc["as_of"], "case": case_doc, "account": account,
                           "groups": store.designations(group_ids)})
    store.db.close()
    return Workload(grpc_requests, [json.dumps({"input": i}).encode() for i in opa_inputs], opa_inputs)


def save(workload: Workload, path: Path) -> None:
    path.write_text(json.dumps({"grpc": [r.hex() for r in workload.grpc_requests], "opa": [b.decode() for b in workload.opa_bodies]}))


def load(path: Path) -> Workload:
    doc = json.loads(path.read_text())
    bodies = [b.encode() for b in doc["opa"]]
    return Workload([bytes.fromhex(r) for r in doc["grpc"]], bodies, [json.loads(b)["input"] for b in bodies])
