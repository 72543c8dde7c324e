"""Datetimes as stored: UTC, fixed-width ISO-8601 text, so text order is time order."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def to_db(dt: datetime) -> str:
    """Encode an aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime: {dt.isoformat()} (attach a time zone first)")
    u = dt.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}"
        f"T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def from_db(text: str) -> datetime:
    """Decode stored text into an aware UTC datetime; refuses text without a zone."""
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"stored time without a zone: {text!r}")
    return dt.astimezone(UTC)
