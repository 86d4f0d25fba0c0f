"""Slack tokens encrypted at rest, and never written to a log.

The installation tables hold every workspace's bot token; a copy of the database (a backup, a
replica, a support dump) must not be a copy of the tokens. They are encrypted with Fernet
(AES-128-CBC + HMAC-SHA256, from `cryptography`) under `TOKEN_ENCRYPTION_KEY`: one key, or
several separated by commas while rotating (the first encrypts, every one decrypts;
`workshop-bot db reencrypt-tokens` rewrites every stored token under the first).

Logs: slack_sdk logs whole Web API answers at DEBUG, `oauth.v2.access`'s token included, and
error messages may quote a request. A log record factory (it sees every record of every logger,
which a filter on one logger does not: records of child loggers skip their parents' filters)
replaces anything shaped like a Slack token before any handler formats it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

TOKEN_PATTERN = re.compile(r"xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
REDACTED = "xox?-[redacted]"
UNREADABLE = ("a stored Slack token cannot be decrypted with TOKEN_ENCRYPTION_KEY (was the key replaced "
              "instead of adding the new one in front of the old one, separated by a comma?)")
LEGACY_PREFIXES = ("xox", "xapp-")  # tokens stored in plain text before encryption existed
KEY_HELP = """\
workshop-bot: TOKEN_ENCRYPTION_KEY is not set. With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set,
the bot stores every workspace's bot token in its database, encrypted with this key.
Generate one (keep it secret, and keep it: tokens stored under a lost key are lost) with

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

put it in the environment or in .env as TOKEN_ENCRYPTION_KEY=..., and run `workshop-bot run` again.
"""


class BadKey(ValueError):
    """TOKEN_ENCRYPTION_KEY is not a list of Fernet keys; the message says what to do."""


class TokenCipher:
    """Encrypts with the first key, decrypts with any (MultiFernet)."""

    def __init__(self, keys: str) -> None:
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        if not parts:
            raise BadKey("TOKEN_ENCRYPTION_KEY is empty")
        try:
            self._fernet = MultiFernet([Fernet(part.encode()) for part in parts])
        except (ValueError, TypeError) as exc:
            raise BadKey(
                "TOKEN_ENCRYPTION_KEY must be one or more Fernet keys (32 url-safe base64-encoded bytes each), "
                "separated by commas") from exc

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """The token; a value stored before encryption existed is returned as it is."""
        if stored.startswith(LEGACY_PREFIXES):
            return stored
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise BadKey(UNREADABLE) from exc

    def rotate(self, stored: str) -> str:
        """`stored` re-encrypted under the first key (plain legacy values encrypted)."""
        if stored.startswith(LEGACY_PREFIXES):
            return self.encrypt(stored)
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken as exc:
            raise BadKey(UNREADABLE) from exc


class EncryptedToken(TypeDecorator):
    """A string column whose values are encrypted on the way in and decrypted on the way out."""

    impl = String(1000)  # a Fernet token is about 2.7 x the plain token plus 77 characters
    cache_ok = True

    def __init__(self, cipher: TokenCipher) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.cipher.encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.cipher.decrypt(str(value))


def redact(text: str) -> str:
    return TOKEN_PATTERN.sub(REDACTED, text)


_installed = False


def keep_tokens_out_of_logs() -> None:
    """Install the redacting record factory once per process (chained to whatever was there)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error report
            return record
        if "xox" in message or "xapp-" in message:
            record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
