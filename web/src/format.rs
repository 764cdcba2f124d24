//! How times, money and sizes read on screen. Times are shown in Japan time (JST).

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use shared::ops::Timestamp;

/// Japan time (UTC+9), checked when the app is compiled.
const JST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(offset) => offset,
    None => panic!("JST is a valid offset"),
};

pub(crate) fn jst() -> FixedOffset {
    JST
}

pub fn now_jst() -> DateTime<FixedOffset> {
    let millis = js_now_millis();
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default().with_timezone(&jst())
}

#[cfg(target_arch = "wasm32")]
fn js_now_millis() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(target_arch = "wasm32"))]
fn js_now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// `2023/11/24 13:16`.
pub fn date_time(ts: &Timestamp) -> String {
    ts.with_timezone(&jst()).format("%Y/%m/%d %H:%M").to_string()
}

/// `2023-11-26 20:14:46`, as the order page's inquiry history writes it.
pub fn date_time_seconds(ts: &Timestamp) -> String {
    ts.with_timezone(&jst()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Short form for lists: `13:16` today, `11/24 13:16` this year, else `2022/11/24`.
pub fn list_time(ts: &Timestamp) -> String {
    let t = ts.with_timezone(&jst());
    let now = now_jst();
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else if t.year() == now.year() {
        t.format("%m/%d %H:%M").to_string()
    } else {
        t.format("%Y/%m/%d").to_string()
    }
}

/// `¥12,800`.
pub fn yen(amount: impl Into<i64>) -> String {
    let amount: i64 = amount.into();
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}¥{out}", if amount < 0 { "-" } else { "" })
}

/// `1.2 MB`, `340 KB`, `12 B`.
pub fn file_size(bytes: impl Into<i64>) -> String {
    match bytes.into() {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

/// Percent-encodes a URL query value.
pub fn url_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The value of an `<input type="datetime-local">` (`2026-11-23T10:00`, read as Japan time).
pub fn parse_local_date_time(value: &str) -> Option<Timestamp> {
    let value = value.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    naive.and_local_timezone(jst()).single()
}

/// An `<input type="date">` value (`2026-11-23`) as the start (00:00:00) or the end
/// (23:59:59.999) of that day in Japan time.
pub fn parse_day(value: &str, end_of_day: bool) -> Option<Timestamp> {
    let day = chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()?;
    let time =
        if end_of_day { chrono::NaiveTime::from_hms_milli_opt(23, 59, 59, 999)? } else { chrono::NaiveTime::MIN };
    day.and_time(time).and_local_timezone(jst()).single()
}

/// Today minus `days`, as an `<input type="date">` value (Japan time).
pub fn day_value(days_ago: i64) -> String {
    (now_jst() - chrono::Duration::days(days_ago)).format("%Y-%m-%d").to_string()
}

/// Now minus `hours`, as an `<input type="datetime-local">` value (Japan time).
pub fn local_date_time_value(hours_ago: i64) -> String {
    (now_jst() - chrono::Duration::hours(hours_ago)).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_groups_thousands() {
        assert_eq!(yen(0), "¥0");
        assert_eq!(yen(980), "¥980");
        assert_eq!(yen(12800), "¥12,800");
        assert_eq!(yen(1234567), "¥1,234,567");
        assert_eq!(yen(-1500), "-¥1,500");
    }

    #[test]
    fn url_values_are_percent_encoded() {
        assert_eq!(url_encode("abc-1"), "abc-1");
        assert_eq!(url_encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(url_encode("返信"), "%E8%BF%94%E4%BF%A1");
    }

    #[test]
    fn times_read_in_japan_time() {
        let ts = DateTime::parse_from_rfc3339("2023-11-24T04:16:00Z").unwrap();
        assert_eq!(date_time(&ts), "2023/11/24 13:16");
        assert_eq!(date_time_seconds(&ts), "2023-11-24 13:16:00");
    }

    #[test]
    fn form_values_read_as_japan_time() {
        let t = parse_local_date_time("2023-11-24T13:16").unwrap();
        assert_eq!(t, DateTime::parse_from_rfc3339("2023-11-24T04:16:00Z").unwrap());
        let from = parse_day("2023-11-24", false).unwrap();
        let to = parse_day("2023-11-24", true).unwrap();
        assert_eq!(from.to_rfc3339(), "2023-11-24T00:00:00+09:00");
        assert_eq!(to - from, chrono::Duration::milliseconds(86_399_999));
        assert!(parse_local_date_time("").is_none());
    }
}
