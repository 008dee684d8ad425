"""One notion of today: the editor's local date for defaults, the last date begun anywhere on Earth
as the bound past which a date is "in the future" (generator/clock.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import clock

from .conftest import copy_publication

UTC = dt.UTC
KYIV_SUMMER = dt.timezone(dt.timedelta(hours=3))
AUCKLAND_SUMMER = dt.timezone(dt.timedelta(hours=13))
LINE_ISLANDS = dt.timezone(dt.timedelta(hours=14))
BAKER_ISLAND = dt.timezone(dt.timedelta(hours=-12))
LOS_ANGELES = dt.timezone(dt.timedelta(hours=-8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_today_is_the_local_date_of_the_editor() -> None:
    # 21:30 UTC on 1 March is already 00:30 on 2 March in Kyiv, and still 13:30 on 1 March in Los Angeles
    instant = at("2026-03-01T21:30:00+00:00")
    assert clock.today(instant, KYIV_SUMMER) == dt.date(2026, 3, 2)
    assert clock.today(instant, UTC) == dt.date(2026, 3, 1)
    assert clock.today(instant, LOS_ANGELES) == dt.date(2026, 3, 1)


def test_the_bound_is_the_date_in_the_first_zone_to_start_a_day() -> None:
    assert clock.latest_today(at("2026-03-01T09:59:59+00:00")) == dt.date(2026, 3, 1)
    assert clock.latest_today(at("2026-03-01T10:00:00+00:00")) == dt.date(2026, 3, 2)
    # the same instant written in another zone gives the same bound
    assert clock.latest_today(at("2026-03-01T13:00:00+03:00")) == dt.date(2026, 3, 2)
    assert clock.latest_today(at("2026-12-31T23:59:59-12:00")) == dt.date(2027, 1, 2)


def test_just_after_midnight_east_of_utc_the_editors_today_is_not_in_the_future() -> None:
    """The bug this module fixes: `factcheck new` dated a claim by local time, validation compared with
    the UTC date, so in Kyiv between midnight and 03:00 a fresh claim was "in the future"."""
    instant = at("2026-03-01T21:01:00+00:00")  # 00:01 on 2 March in Kyiv
    scaffolded = clock.today(instant, KYIV_SUMMER)
    assert scaffolded > instant.date(), "the case the old rule got wrong"
    assert scaffolded <= clock.latest_today(instant)
    assert scaffolded + dt.timedelta(days=1) > clock.latest_today(instant), "tomorrow in Kyiv is refused"


@pytest.mark.parametrize("zone", [BAKER_ISLAND, LOS_ANGELES, UTC, KYIV_SUMMER, AUCKLAND_SUMMER, LINE_ISLANDS])
def test_every_zones_today_is_accepted_at_every_hour(zone: dt.tzinfo) -> None:
    start = at("2026-02-27T00:00:00+00:00")
    for minutes in range(0, 4 * 24 * 60, 17):
        instant = start + dt.timedelta(minutes=minutes)
        assert clock.today(instant, zone) <= clock.latest_today(instant), instant
    # and the bound is tight: it is today in the zone that starts each day first
    assert all(clock.today(start + dt.timedelta(hours=h), LINE_ISLANDS)
               == clock.latest_today(start + dt.timedelta(hours=h)) for h in range(48))


def test_an_instant_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        clock.latest_today(dt.datetime(2026, 3, 1, 12, 0))
    with pytest.raises(ValueError, match="no time zone"):
        clock.today(dt.datetime(2026, 3, 1, 12, 0))


def test_the_default_instant_is_now() -> None:
    before = dt.datetime.now(tz=UTC)
    bound = clock.latest_today()
    after = dt.datetime.now(tz=UTC)
    assert bound in {clock.latest_today(before), clock.latest_today(after)}
    assert clock.now().tzinfo is not None


# End to end, with the real commands in their own processes and the TZ variable (POSIX form, so no
# time zone database is needed; note POSIX writes the offset west-positive): a claim scaffolded on
# a machine 14 hours ahead of UTC validates on a machine 12 hours behind it, whatever the hour.
EAST = "EAST-14"
WEST = "WEST+12"


def factcheck(root: Path, tz: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TZ": tz}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([sys.executable, "-m", "generator.cli", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120, check=False, env=env)


def future_dates(root: Path, tz: str, rel: str) -> list[dict[str, object]]:
    result = factcheck(root, tz, "validate", "--no-cache", "--format", "json", str(root / rel))
    assert result.returncode in {0, 1}, result.stderr
    assert "Traceback" not in result.stderr
    found: list[dict[str, object]] = json.loads(result.stdout or "[]")
    return [d for d in found if d["path"] == rel and d["code"] == "future-date"]


def test_a_claim_scaffolded_far_east_validates_far_west(tmp_path: Path) -> None:
    pub = copy_publication(tmp_path / "pub", claims=False)
    made = factcheck(pub, EAST, "new", "--speaker", "sergey-lavrov", "--source", "meduza-2025-08-20",
                     "--topic", "security-guarantees", "--verdict", "disputed", "--date", "2025-08-20",
                     "--counter-speaker", "donald-trump", "--claim", "Russia will join the guarantees", "--no-input")
    assert made.returncode == 0, made.stderr
    rel = made.stdout.strip()
    text = (pub / rel).read_text(encoding="utf-8")
    east_today = subprocess.run([sys.executable, "-c", "import datetime; print(datetime.date.today())"],
                                capture_output=True, text=True, check=True, env={**os.environ, "TZ": EAST}).stdout
    assert f"published: {east_today.strip()}" in text, "`factcheck new` dates the claim by the editor's clock"
    assert future_dates(pub, WEST, rel) == []
    assert future_dates(pub, "UTC0", rel) == []


def test_a_date_that_has_begun_nowhere_is_in_the_future(tmp_path: Path) -> None:
    pub = copy_publication(tmp_path / "pub", claims=False)
    rel = "claims/tomorrow-everywhere.yaml"
    base = (Path(__file__).parent / "hostile" / "cases" / "crlf-line-endings.yaml").read_bytes()
    text = base.replace(b"\r\n", b"\n").decode("utf-8")
    assert "published: 2026-11-20" in text
    for _ in range(2):  # once more if the bound moved on (10:00 UTC) while validating
        bound = clock.latest_today()
        target = pub / rel
        target.write_text(text.replace("published: 2026-11-20", f"published: {bound + dt.timedelta(days=1)}"),
                          encoding="utf-8")
        refused = future_dates(pub, EAST, rel)
        target.write_text(text.replace("published: 2026-11-20", f"published: {bound}"), encoding="utf-8")
        accepted = future_dates(pub, WEST, rel)
        if clock.latest_today() == bound:
            break
    assert [d["field"] for d in refused] == ["published"]
    assert accepted == []
