"""Text as the database can hold it, the same on SQLite and PostgreSQL.

PostgreSQL refuses a NUL byte in text (and `\\u0000` in JSON); neither driver can encode a
lone surrogate (JSON's `"\\ud800"` decodes to one); other control characters are kept by one
database and shown as garbage by Slack. So every string on its way to the database goes
through `clean_text`, in one place: `install` hooks it into the engine, for every statement's
parameters (ORM and Core alike, every text column and every lookup) and for JSON values.

Cleaning: lone surrogates dropped (a pair joined), CR LF and CR become LF, C0 controls other
than LF and TAB and DEL dropped, then Unicode NFC. It never raises and never grows a string,
so one odd line cannot cost the others of its submission.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` as stored: see the module docstring. Cheap for ordinary text (two scans)."""
    if SURROGATES.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = CONTROLS.sub("", value)
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def clean(value: Any) -> Any:
    """Every string inside `value` (a parameter, a tuple or dict of them, a JSON document) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean(item) for item in value)
    return value


def dumps(value: Any) -> str:
    """The engine's JSON serializer: documents are cleaned before they become text."""
    return json.dumps(clean(value))


def install(engine: Engine) -> None:
    """Clean every statement's parameters on their way to the driver."""
    event.listen(engine, "before_cursor_execute", _clean_parameters, retval=True)


def _clean_parameters(_conn: object, _cursor: object, statement: str, parameters: Any, _context: object,
                      _executemany: bool) -> tuple[str, Any]:
    return statement, clean(parameters)
