//! The TIME syntax of docs/SPEC.md §3.3: RFC 3339, dates and local times, durations ago, `now`,
//! `today`, `yesterday`.

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TimeError {
    #[error(
        "invalid time {0:?}: expected RFC 3339, YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', a duration ago such as 90s, 15m, 2h, 7d, 2w (or -7d), now, today or yesterday"
    )]
    Invalid(String),
    #[error("time {0:?} is out of range: times run from 0001-01-01 to 9999-12-31 (UTC)")]
    OutOfRange(String),
}

impl TimeError {
    /// The text that was given.
    pub fn text(&self) -> &str {
        match self {
            TimeError::Invalid(t) | TimeError::OutOfRange(t) => t,
        }
    }
}

/// The first instant auditctl takes: RFC 3339 writes years of four digits.
pub fn earliest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .expect("a valid date")
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// The last instant auditctl takes.
pub fn latest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .expect("a valid date")
        .and_hms_micro_opt(23, 59, 59, 999_999)
        .expect("a valid time")
        .and_utc()
}

/// Whether `t` is in the range auditctl keeps and prints.
pub fn in_range(t: &DateTime<Utc>) -> bool {
    (earliest()..=latest()).contains(t)
}

/// "Now", pinned by `AUDITCTL_NOW` (RFC 3339) so that tests of relative times are repeatable.
pub fn now() -> DateTime<Utc> {
    std::env::var("AUDITCTL_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

/// Parses a TIME relative to `now`. Dates and times without an offset are in the local zone.
/// Times outside years 1 to 9999 are an error.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    let t = parse_any(text, now)?;
    if in_range(&t) {
        Ok(t)
    } else {
        Err(TimeError::OutOfRange(text.to_owned()))
    }
}

fn parse_any(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    let err = || TimeError::Invalid(text.to_owned());
    let s = text.trim();
    match s.to_ascii_lowercase().as_str() {
        "now" => return Ok(now),
        "today" => return local_midnight(now.with_timezone(&Local).date_naive()).ok_or_else(err),
        "yesterday" => {
            let day = now
                .with_timezone(&Local)
                .date_naive()
                .pred_opt()
                .ok_or_else(err)?;
            return local_midnight(day).ok_or_else(err);
        }
        _ => {}
    }
    if let Some(ago) = parse_duration(s) {
        return ago
            .and_then(|ago| now.checked_sub_signed(ago))
            .ok_or_else(|| TimeError::OutOfRange(text.to_owned()));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local_midnight(d).ok_or_else(err);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(t).ok_or_else(err);
        }
    }
    Err(err())
}

/// `90s`, `15m`, `2h`, `7d`, `2w`, with an optional leading `-`; `Some(None)` for one too long
/// to count.
fn parse_duration(s: &str) -> Option<Option<Duration>> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    let n: Option<i64> = digits.parse().ok();
    Some(n.and_then(|n| Duration::try_seconds(n.checked_mul(secs)?)))
}

fn local_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    local(d.and_time(NaiveTime::MIN))
}

/// A wall-clock time in the local zone; in a DST gap the first valid instant after it (a gap
/// is at most a few hours; a time the zone cannot place at all is none).
fn local(t: NaiveDateTime) -> Option<DateTime<Utc>> {
    let mut t = t;
    for _ in 0..4 {
        match Local.from_local_datetime(&t) {
            chrono::LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
            // The earlier of the two: chrono's `Local` does not always give it first.
            chrono::LocalResult::Ambiguous(a, b) => {
                return Some(a.min(b).with_timezone(&Utc));
            }
            chrono::LocalResult::None => t = t.checked_add_signed(Duration::hours(1))?,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn relative_times() {
        assert_eq!(parse("2h", now()), Ok(at("2026-11-24T10:00:00Z")));
        assert_eq!(parse("-7d", now()), Ok(at("2026-11-17T12:00:00Z")));
        assert_eq!(parse("2w", now()), Ok(at("2026-11-10T12:00:00Z")));
        assert_eq!(parse("90s", now()), Ok(at("2026-11-24T11:58:30Z")));
        assert_eq!(parse("NOW", now()), Ok(now()));
    }

    #[test]
    fn absolute_times_keep_their_offset() {
        assert_eq!(
            parse("2026-11-01T10:00:00+02:00", now()),
            Ok(at("2026-11-01T08:00:00Z"))
        );
        assert_eq!(
            parse("2026-11-01T10:00:00.5Z", now()),
            Ok(at("2026-11-01T10:00:00.5Z"))
        );
    }

    #[test]
    fn garbage_is_an_error_naming_the_input() {
        for bad in ["", "yesterdayish", "7x", "2026-13-01", "12:00", "--2h"] {
            let e = parse(bad, now()).unwrap_err();
            assert_eq!(e.text(), bad);
        }
    }

    #[test]
    fn times_beyond_four_digit_years_are_out_of_range() {
        for far in [
            "+262142-12-31T23:59:59Z",
            "19999999995m",
            "99999999999w",
            "-0001-01-01T00:00:00Z",
        ] {
            match parse(far, now()) {
                Err(TimeError::OutOfRange(t)) | Err(TimeError::Invalid(t)) => assert_eq!(t, far),
                Ok(t) => panic!("{far} parsed as {t}"),
            }
        }
        assert!(parse("9999-12-31", now()).is_ok());
        assert!(matches!(
            parse("19999999995m", now()),
            Err(TimeError::OutOfRange(_))
        ));
    }

    proptest::proptest! {
        /// No text makes the parser panic, and what it accepts is in range.
        #[test]
        fn any_text_parses_or_is_an_error(text in "\\PC{0,40}|[-+]?[0-9]{1,12}[smhdw]|[+-]?[0-9]{4,7}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?") {
            if let Ok(t) = parse(&text, now()) {
                proptest::prop_assert!(in_range(&t));
            }
        }
    }
}
