//! The TIME syntax of SPEC section 3: RFC 3339, dates and local times, durations ago, `now`,
//! `today`, `yesterday`.

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "invalid time {0:?}: expected RFC 3339, YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', a duration ago such as 90s, 15m, 2h, 7d, 2w (or -7d), now, today or yesterday"
)]
pub struct TimeError(pub String);

/// "Now", pinned by `AUDITCTL_NOW` (RFC 3339) so that tests of relative times are repeatable.
pub fn now() -> DateTime<Utc> {
    std::env::var("AUDITCTL_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

/// Parses a TIME relative to `now`. Dates and times without an offset are in the local zone.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    let err = || TimeError(text.to_owned());
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
        return now.checked_sub_signed(ago).ok_or_else(err);
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

/// `90s`, `15m`, `2h`, `7d`, `2w`, with an optional leading `-`.
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    Duration::try_seconds(n.checked_mul(secs)?)
}

fn local_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    local(d.and_time(NaiveTime::MIN))
}

/// A wall-clock time in the local zone; in a DST gap the first valid instant after it.
fn local(t: NaiveDateTime) -> Option<DateTime<Utc>> {
    match Local.from_local_datetime(&t) {
        chrono::LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        chrono::LocalResult::None => local(t + Duration::hours(1)),
    }
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
        for bad in [
            "",
            "yesterdayish",
            "7x",
            "2026-13-01",
            "12:00",
            "--2h",
            "99999999999999d",
        ] {
            let e = parse(bad, now()).unwrap_err();
            assert_eq!(e.0, bad);
        }
    }
}
