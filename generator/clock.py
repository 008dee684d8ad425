"""What "today" means, in one place.

Two questions are asked of the calendar, and they have different answers on purpose:

* `today()` is the editor's today: the calendar date on the machine's own clock, in its own
  time zone. `factcheck new` writes it as the default publication date, because that is the
  date an editor in Kyiv or in Los Angeles sees on their wall just then.
* `latest_today()` is the last date that is today anywhere on Earth: the date in UTC+14 (Line
  Islands, the first zone to start a day). Validation calls a date "in the future" only when it
  is after this one, so a date that is today for some editor is never refused, whichever zone
  the validating machine (an editor's laptop, a CI runner on UTC) is in.

Every zone is at most 14 hours ahead of UTC, so `today() <= latest_today()` always holds: a claim
scaffolded a minute after midnight east of UTC validates everywhere at once. A date is refused
from the moment it has not yet begun anywhere.

`SOURCE_DATE_EPOCH` does not move either date: it pins the timestamps a build writes (so two
builds of one commit are byte-identical), not what counts as the future. Tests and callers that
need another instant pass `at` (an aware datetime) and, for `today()`, `tz`.
"""

from __future__ import annotations

import datetime as dt

# The furthest any civil time zone runs ahead of UTC (Kiribati's Line Islands, UTC+14:00).
EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=14))


def now() -> dt.datetime:
    """The current instant as an aware UTC datetime; the one place the system clock is read."""
    return dt.datetime.now(tz=dt.UTC)


def _instant(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    return at


def today(at: dt.datetime | None = None, tz: dt.tzinfo | None = None) -> dt.date:
    """The editor's today: the calendar date at instant `at` (default: now) in zone `tz` (default:
    the machine's local zone, as set by the system or the TZ environment variable)."""
    return _instant(at).astimezone(tz).date()


def latest_today(at: dt.datetime | None = None) -> dt.date:
    """The latest date that is today somewhere on Earth at instant `at` (default: now): the date
    in UTC+14. Dates after it are in the future everywhere."""
    return _instant(at).astimezone(EARLIEST_ZONE).date()

