"""ISO-8601 dates and times as the store writes them, with one time-zone rule.

The rule: a time that names its UTC offset is that instant; a time without an offset (the
page did not say where it was written) and a bare date are read as UTC. Every stage that
orders, windows or subtracts published times reads them through :func:`parse_instant`, so two
stages never place one article at two instants.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_OFFSET = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$")


def parse_instant(value: str | None) -> datetime | None:
    """The instant of an ISO-8601 date or datetime (aware, UTC when no offset is written);
    None when it does not parse. Trailing text after the date or the seconds is ignored."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    for candidate in (text, text[:19], text[:10]):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def timestamp(value: str | None) -> float | None:
    """Seconds since the epoch for an ISO-8601 date or datetime; None when unparseable."""
    instant = parse_instant(value)
    return instant.timestamp() if instant else None


def days_apart(a: str | None, b: str | None) -> float | None:
    """Days between two ISO-8601 values, None when either is missing or does not parse."""
    first, second = parse_instant(a), parse_instant(b)
    if first is None or second is None:
        return None
    return abs((first - second).total_seconds()) / 86400.0


def has_offset(value: str | None) -> bool:
    """Whether a timestamp names its UTC offset ("...T11:30:00-07:00", "...Z")."""
    return bool(value) and bool(_OFFSET.search(str(value).strip()))


def to_utc(value: str | None) -> str | None:
    """The same instant in UTC, written ``YYYY-MM-DDTHH:MM:SS+00:00`` like every other time
    the store writes; values without an offset (local time unknown) and dates are unchanged."""
    if not value or "T" not in value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def adjacent_days(first: str, second: str) -> bool:
    """Whether two ISO days are one day apart (the same moment in two time zones)."""
    try:
        return abs((date.fromisoformat(first) - date.fromisoformat(second)).days) == 1
    except ValueError:
        return False


def from_rfc822(value: str | None) -> str | None:
    """An RSS date ("Fri, 17 Oct 2025 14:16:00 +0300") as ISO-8601; other text unchanged."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return value
