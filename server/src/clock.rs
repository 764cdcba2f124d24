//! Timestamps are kept at millisecond precision everywhere, so a cursor made from a stored time
//! compares equal to it again on SQLite and PostgreSQL alike.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

pub fn now() -> DateTime<Utc> {
    normalise(Utc::now())
}

pub fn normalise(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}
