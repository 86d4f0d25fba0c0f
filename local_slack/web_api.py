"""FakeSlack: a real HTTP server on 127.0.0.1 that plays Slack's Web API.

The bot under test gets ``WebClient(base_url=fake.base_url)`` and talks real HTTP, so
serialisation, retry handlers and error handling all run as in production. Every call is
recorded for assertions; failures and rate limits can be scripted; Block Kit is validated
so layouts Slack would reject fail in tests too.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any, NamedTuple, Protocol

from . import block_kit
from .http_server import Call, LocalServer, Reply
from .ids import trigger_age
from .web_controls import LANDED, Controls, Override
from .web_methods import SlackError, Workspace
from .web_oauth import OAuthControls
from .wire import BadJson, bearer_token, decode_args

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
TRIGGER_METHODS = frozenset({"views.open", "views.push"})


class Checked(NamedTuple):
    answer: dict[str, Any] | None  # Slack's refusal, or None when the Block Kit is valid
    errors: list[str]
    warning: str


class _HasUrl(Protocol):
    @property
    def url(self) -> str: ...


class FakeSlack(Controls, OAuthControls):
    """Slack's Web API on ``base_url`` with call recording and scripted failures."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.calls: list[Call] = []
        self.block_kit_errors: list[str] = []
        self.warnings: list[str] = []
        self.granted_scopes: list[str] | None = []
        self.valid_tokens: set[str] | None = None  # None: any token is accepted
        self.latency = 0.0  # seconds each Web API call takes to answer, as over the internet
        self.workspace = Workspace("")
        self._scripted: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        self._overrides: dict[str, Override] = {}
        self._socket_mode: _HasUrl | None = None
        self._server: LocalServer | None = None
        self._thread: threading.Thread | None = None

    # -- workspace state (mutate these dicts; they are read-only attributes) -------------
    @property
    def users(self) -> dict[str, dict[str, Any] | None]:
        """users.info overrides by user id (merged over defaults); None = user_not_found."""
        return self.workspace.users

    @property
    def channels(self) -> dict[str, dict[str, Any] | None]:
        """conversations.info overrides; ``{"is_member": False}`` -> not_in_channel; None -> not found."""
        return self.workspace.channels

    @property
    def uploads(self) -> dict[str, bytes]:
        return self.workspace.uploads

    @property
    def messages(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Current messages by ``(channel, ts)`` after posts, updates and deletes."""
        return self.workspace.messages

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        return self.workspace.views

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeSlack:
        server = LocalServer(self._route)
        self._server = server
        self.workspace.base_url = self.url
        # A short poll interval keeps stop() fast; serve_forever otherwise waits 0.5 s.
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (server root)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """What to pass as ``WebClient(base_url=...)``."""
        return f"{self.url}/api/"

    def response_url(self, kind: str = "commands") -> str:
        """A response_url served by this fake; posts to it are recorded as "response_url"."""
        return f"{self.url}/hooks/{kind}/T0001/{int(time.time())}/{secrets.token_urlsafe(12)}"

    def attach_socket_mode(self, socket_mode: _HasUrl) -> None:
        """Make ``apps.connections.open`` hand out ``socket_mode.url``."""
        self._socket_mode = socket_mode

    # -- request handling (server threads) -----------------------------------------------
    def _route(self, path: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        lower = {k.lower(): v for k, v in headers.items()}
        if path.startswith("/api/"):
            return self._api(path[5:], query, lower, body)
        if path.startswith("/upload/"):
            return self._upload(path, body)
        if path.startswith("/hooks/"):
            return self._hook(path, body)
        return 404, {}, b"not found"

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._cond.notify_all()

    def _api(
        self, method: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        bad_json = False
        try:
            args, is_json = decode_args(headers.get("content-type", ""), query, body)
        except BadJson:
            args, is_json, bad_json = {}, True, True
        form_token = args.pop("token", None)
        token = bearer_token(headers.get("authorization")) or (None if is_json else form_token)
        received = time.time()
        # Slack judges a trigger_id when the call arrives, and checks Block Kit concurrently: neither
        # waits here for other calls' turn under the lock below.
        expired = method in TRIGGER_METHODS and self._trigger_expired(args, received)
        checked = None if bad_json else self._validate(method, args)
        if self.latency:
            time.sleep(self.latency)
        with self._cond:
            status, extra, answer = self._oauth(args, headers.get("authorization")) \
                if method == "oauth.v2.access" else self._answer(method, args, token, bad_json, checked, expired)
            self._record(Call(method, args, token, time.time(), status, answer, f"/api/{method}", received))
        if self.granted_scopes is not None:  # None: a proxy that drops the header
            extra["x-oauth-scopes"] = ",".join(self.granted_scopes)
        return status, extra, answer

    def _trigger_expired(self, args: dict[str, Any], at: float) -> bool:
        ttl, age = self.workspace.trigger_ttl, trigger_age(str(args.get("trigger_id", "")), at=at)
        return ttl is not None and age is not None and age > ttl

    def _answer(
        self, method: str, args: dict[str, Any], token: str | None, bad_json: bool,
        checked: Checked | None = None, expired: bool = False,
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        scripted = self._scripted.get(method)
        if scripted:
            status, headers, answer = scripted.pop(0)
            if answer is LANDED:
                self._answer(method, args, token, bad_json, checked, expired)
                return status, dict(headers), {"ok": False}
            return status, dict(headers), dict(answer)
        if bad_json:
            return 200, {}, {"ok": False, "error": "invalid_json"}
        if token is None:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if token in self.workspace.revoked or (self.valid_tokens is not None and token not in self.valid_tokens):
            error = "token_revoked" if token in self.workspace.revoked else "invalid_auth"
            return 200, {}, {"ok": False, "error": error}
        if checked is not None:
            self.block_kit_errors.extend(checked.errors)
            if checked.warning:
                self.warnings.append(checked.warning)
            if checked.answer is not None:
                return 200, {}, checked.answer
        if expired:
            return 200, {}, {"ok": False, "error": "expired_trigger_id"}
        override = self._overrides.get(method)
        if override is not None:
            answer = override(args) if callable(override) else override
            return 200, {}, {"ok": True, **answer}
        handler = self.workspace.handlers.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        self.workspace.token = token
        if self._socket_mode is not None:
            self.workspace.socket_mode_url = self._socket_mode.url
        try:
            return 200, {}, {"ok": True, **handler(args)}
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.code}

    def _validate(self, method: str, args: dict[str, Any]) -> Checked:
        """What Slack would say of the call's Block Kit; recorded by `_answer` only for a call it
        answers (not one refused for its token or scripted to fail)."""
        code = ""
        errors: list[str] = []
        if method in MESSAGE_METHODS and "blocks" in args:
            found = block_kit.message_errors(args["blocks"])
            if found is not None:
                code, errors = found
            elif not args.get("text"):
                return Checked(None, [], f"{method}: blocks without a `text` fallback (notifications)")
        elif method in VIEW_METHODS and "view" in args:
            errors = block_kit.view_errors(args["view"])
            code = "invalid_arguments"
        if not errors:
            return Checked(None, [], "")
        messages = [f"[ERROR] {error}" for error in errors]
        answer = {"ok": False, "error": code, "errors": errors, "response_metadata": {"messages": messages}}
        return Checked(answer, [f"{method}: {error}" for error in errors], "")

    def _upload(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        file_id = path.rsplit("/", 1)[-1]
        with self._cond:
            known = file_id in self.workspace.files
            if known:
                self.uploads[file_id] = body
            status = 200 if known else 404
            self._record(
                Call("upload", {"file_id": file_id, "length": len(body)}, None, time.time(), status, {}, path)
            )
        return status, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode() if known else b"not found"

    def _hook(self, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            args = json.loads(body or b"{}")
        except ValueError:
            args = {"_raw": body.decode("utf-8", "replace")}
        found = block_kit.message_errors(args["blocks"]) if "blocks" in args else None
        with self._cond:
            if found is not None:
                self.block_kit_errors.extend(f"response_url: {error}" for error in found[1])
            status, text = (400, found[0]) if found else (200, "ok")
            self._record(Call("response_url", args, None, time.time(), status, {"text": text}, path))
        return status, {"Content-Type": "text/plain"}, text.encode()
