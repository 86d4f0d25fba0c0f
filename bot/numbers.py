"""Numbers read from what Slack echoes back (button values, view metadata, form options).

`str.isdigit()` is true for "²" and "١٢" (and `int("²")` raises), and a 30-digit id passes
`int()` but not the database (SQLite's integers stop at 2**63, PostgreSQL's `integer` at
2**31). Row ids and counts are read here, ASCII digits only, within what a column holds;
anything else is None, which handlers already answer as "that is gone".
"""

from __future__ import annotations

import re

from storage.db import MAX_ROW_ID

DIGITS = re.compile(r"[0-9]{1,10}")


def row_id(text: object) -> int | None:
    """A row id (1 .. 2**31-1) spelled in ASCII digits, else None."""
    if not isinstance(text, str) or not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def count(text: object, *, limit: int = MAX_ROW_ID) -> int | None:
    """A non-negative number up to `limit` (a page, a vote count), else None."""
    if not isinstance(text, str) or not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= limit else None
