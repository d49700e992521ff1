"""The console on a real server: demo accounts, seeded decisions, callers with different scopes.

One server per test module (``console``), reached over HTTP on its own port.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from server.api.auth import caller_entry
from server.engine.bundle import Bundle

from tests.conftest import REGO, import_accounts, start_server

# name -> scopes; each caller's token is "token-<name>"
TOKENS = {
    "auditor": ["audit:read", "audit:replay", "decide"],
    "reader": ["audit:read"],
    "engineer": ["decide"],
    "replayer": ["audit:replay"],
    "applier": ["decide", "apply"],
}
# The private values of the seeded PRIV case: never on a page in the clear.
PRIVATE = ("alice-subject-8731", "Keizersgracht 99 Amsterdam", "52.3731,4.8922")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def hateful(account: str, post: str) -> dict[str, Any]:
    return {"content": {"kind": "post", "post_id": post, "author_account_id": account},
            "violation": {"policy": "hateful_conduct", "rule": {"confirmed": True}}, "as_of": "2024-05-01T12:00:00Z"}


def private_case() -> dict[str, Any]:
    return {"content": {"kind": "post", "post_id": "post-priv", "author_account_id": "acc-citizen"},
            "violation": {"policy": "private_information",
                          "priv": {"category": "home_address", "subject_id": PRIVATE[0], "information": PRIVATE[1],
                                   "location": PRIVATE[2], "subject_consented": False}},
            "as_of": "2024-05-01T12:00:00Z"}


ACCOUNTS = ["acc-candidate-250k", "acc-candidate-100k", "acc-candidate-100001", "acc-unverified-2m", "acc-mayor", "acc-citizen"]


@dataclass
class Seeded:
    ids: list[str]            # every seeded decision, in order
    applied_now: str          # decided with apply=true
    applied_later: str        # decided, then ApplyDecision
    private: str              # the PRIV case


def seed(app: Any) -> Seeded:
    from clients.client import VerdictClient

    with VerdictClient(f"127.0.0.1:{app.port}", token="token-applier") as client:
        cases = [hateful(account, f"post-{account}-{n}") for n in range(4) for account in ACCOUNTS]
        ids = [d.decision_id for d in client.decide_batch(cases)]
        applied_now = client.decide(hateful("acc-citizen", "post-applied-now"), apply=True).decision_id
        applied_later = client.decide(hateful("acc-mayor", "post-applied-later")).decision_id
        client.apply(applied_later)
        private = client.decide(private_case()).decision_id
    return Seeded([*ids, applied_now, applied_later, private], applied_now, applied_later, private)


def candidate_bundle(threshold: int = 50_000) -> bytes:
    """rego/ with the PI follower threshold lowered, tests included, as an uploadable .tar.gz."""
    bundle = Bundle.from_directory(REGO, tests=True)
    files = dict(bundle.files)
    files["verdict/pi/pi.rego"] = files["verdict/pi/pi.rego"].replace(b"follower_threshold := 100000",
                                                                      f"follower_threshold := {threshold}".encode())
    assert files["verdict/pi/pi.rego"] != bundle.files["verdict/pi/pi.rego"]
    return Bundle.from_files(files).tarball()


class Browser:
    """A requests session on the console: signs in, finds the CSRF token, reads pages."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=kw.pop("allow_redirects", False), timeout=30, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> requests.Response:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.http.post(self.base + path, data=data, allow_redirects=kw.pop("allow_redirects", False), timeout=60, **kw)

    def csrf(self) -> str:
        return CSRF.search(self.get("/sign-in").text).group(1)

    def sign_in(self, name: str) -> "Browser":
        response = self.post("/sign-in", {"token": f"token-{name}"})
        assert response.status_code == 302, response.text
        return self


@dataclass
class Console:
    app: Any
    url: str
    seeded: Seeded

    def browser(self, name: str | None = None) -> Browser:
        browser = Browser(self.url)
        return browser.sign_in(name) if name else browser

    def jobs(self, caller: str, kind: str) -> list[Any]:
        from server.console.context import STATE

        return self.app.console.app.extensions[STATE].jobs.of(caller, kind)

    def count(self, where: str = "1=1") -> int:
        return int(self.app.db.query(f"SELECT COUNT(*) FROM decision_log WHERE {where}")[0][0])


def callers_file(directory: Path) -> Path:
    path = directory / "callers.toml"
    path.write_text("".join(caller_entry(name, f"token-{name}", scopes) for name, scopes in TOKENS.items()))
    return path


@pytest.fixture(scope="module")
def console(opa_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("console")
    db_url = f"sqlite:///{tmp}/verdict.db"
    import_accounts(db_url)
    app = start_server(db_url, opa_url, tmp, callers_file=callers_file(tmp), console_listen="127.0.0.1:0",
                       checkpoint_seconds=0.5)
    try:
        yield Console(app, app.console.url, seed(app))
    finally:
        app.stop()


def text_of(page: str) -> str:
    """A page's text, tags and entities gone (to assert what a reader sees)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
