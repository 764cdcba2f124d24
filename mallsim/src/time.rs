//! One formatter per contract: every marketplace writes its dates its own way.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub fn jst() -> FixedOffset {
    const JST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
        Some(offset) => offset,
        None => panic!("+09:00 is a valid offset"),
    };
    JST
}

pub fn to_jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&jst())
}

/// Rakuten inquiry responses: `yyyy-MM-ddTHH:mm:ss+09:00`.
pub fn rakuten_inquiry(t: DateTime<Utc>) -> String {
    to_jst(t).format("%Y-%m-%dT%H:%M:%S+09:00").to_string()
}

/// Rakuten inquiry requests: `yyyy-MM-ddTHH:mm:ss`, JST, no offset. Strict.
pub fn parse_rakuten_inquiry(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()?;
    jst().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// Rakuten order API: `yyyy-MM-ddTHH:mm:ss+0900` (offset without colon).
pub fn rakuten_order(t: DateTime<Utc>) -> String {
    to_jst(t).format("%Y-%m-%dT%H:%M:%S+0900").to_string()
}

/// Rakuten order API requests accept only the `+0900` form; `+09:00`, `Z`, `+0000` are rejected.
pub fn parse_rakuten_order(s: &str) -> Option<DateTime<Utc>> {
    let head = s.strip_suffix("+0900")?;
    parse_rakuten_inquiry(head)
}

pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn jst_date(t: DateTime<Utc>) -> NaiveDate {
    to_jst(t).date_naive()
}

/// Yahoo! order responses: `YYYY-MM-DDTHH:MI:SS+09:00`.
pub fn yahoo_order(t: DateTime<Utc>) -> String {
    rakuten_inquiry(t)
}

/// Yahoo! order requests: `YYYYMMDDHH24MISS` (JST).
pub fn parse_yahoo_order(s: &str) -> Option<DateTime<Utc>> {
    if s.len() != 14 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok()?;
    jst().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// Yahoo! talk: UNIX seconds as a string.
pub fn unix(t: DateTime<Utc>) -> String {
    t.timestamp().to_string()
}

pub fn parse_unix(s: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(s.parse().ok()?, 0)
}

/// au PAY: `YYYY/MM/DD HH:MM`.
pub fn aupay(t: DateTime<Utc>) -> String {
    to_jst(t).format("%Y/%m/%d %H:%M").to_string()
}

/// au PAY request dates: `YYYYMMDD` or `YYYY-MM-DD` (JST day).
pub fn parse_aupay_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d").or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d")).ok()
}

/// Start of a JST day in UTC.
pub fn jst_day_start(d: NaiveDate) -> DateTime<Utc> {
    // A fixed offset maps every local time to exactly one instant.
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    DateTime::<Utc>::from_naive_utc_and_offset(
        midnight - chrono::TimeDelta::seconds(jst().local_minus_utc().into()),
        Utc,
    )
}

/// Amazon: ISO-8601 UTC.
pub fn amazon(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok().map(|n| Utc.from_utc_datetime(&n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rakuten_inquiry_dates_are_jst_without_offset() {
        let t = parse_rakuten_inquiry("2024-05-01T09:00:00").unwrap();
        assert_eq!(amazon(t), "2024-05-01T00:00:00Z");
        assert_eq!(rakuten_inquiry(t), "2024-05-01T09:00:00+09:00");
        assert!(parse_rakuten_inquiry("2024-05-01T09:00:00+09:00").is_none());
        assert!(parse_rakuten_inquiry("2024-5-01T09:00:00").is_none());
    }

    #[test]
    fn rakuten_order_dates_need_offset_without_colon() {
        assert!(parse_rakuten_order("2024-05-01T09:00:00+0900").is_some());
        assert!(parse_rakuten_order("2024-05-01T09:00:00+09:00").is_none());
        assert!(parse_rakuten_order("2024-05-01T00:00:00Z").is_none());
        assert!(parse_rakuten_order("2024-05-01T00:00:00+0000").is_none());
    }
}
