"""The stored time format: UTC, fixed width, order-preserving."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.timecodec import from_db, to_db, utc_now

# Keep clear of year 1 and 9999 so any offset still converts to UTC without overflow.
_EARLIEST, _LATEST = datetime(2, 1, 1), datetime(9998, 12, 31)  # noqa: DTZ001
_instants = st.datetimes(min_value=_EARLIEST, max_value=_LATEST)
_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_aware = st.builds(lambda dt, tz: dt.replace(tzinfo=tz), _instants, _offsets)


@given(_aware)
def test_round_trip_keeps_the_instant(dt: datetime) -> None:
    back = from_db(to_db(dt))
    assert back == dt
    assert back.tzinfo is UTC


@given(_aware)
def test_fixed_width_utc_text(dt: datetime) -> None:
    text = to_db(dt)
    assert len(text) == len("2024-01-01T00:00:00.000000Z")
    assert text.endswith("Z")


@given(_aware, _aware)
def test_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (to_db(a) < to_db(b)) == (a < b)
    assert (to_db(a) == to_db(b)) == (a == b)


@given(st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.timezones()))
def test_any_iana_zone(dt: datetime) -> None:
    assert from_db(to_db(dt)) == dt.astimezone(UTC)


def test_known_value() -> None:
    madrid_winter = timezone(timedelta(hours=1))
    assert to_db(datetime(2024, 1, 15, 10, 0, tzinfo=madrid_winter)) == (
        "2024-01-15T09:00:00.000000Z"
    )
    assert to_db(datetime(5, 3, 4, 1, 2, 3, 7, tzinfo=UTC)) == "0005-03-04T01:02:03.000007Z"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        to_db(datetime(2024, 1, 1))  # noqa: DTZ001


def test_stored_text_without_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="without a zone"):
        from_db("2024-01-01T00:00:00")


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
