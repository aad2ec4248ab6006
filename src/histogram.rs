//! Counts over time: events per hour, day or week in a time zone, with every bucket of the
//! range present (empty ones too). Days and weeks follow the zone's calendar, so a day across
//! a daylight saving change lasts 23 or 25 hours; the repeated hour of an autumn change is two
//! buckets, told apart by their UTC offsets.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

/// The width of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Hour,
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
}

impl Unit {
    pub fn from_name(name: &str) -> Option<Unit> {
        match name {
            "hour" => Some(Unit::Hour),
            "day" => Some(Unit::Day),
            "week" => Some(Unit::Week),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
        }
    }
}

/// One bucket: its label in the zone, the instant it starts, and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub label: String,
    pub start: DateTime<Utc>,
    pub count: u64,
}

/// The first instant of a local date: midnight, or the first moment after a gap that skips it.
fn day_start<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> DateTime<Utc> {
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, 0, 0)?))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(NaiveTime::MIN).and_utc())
}

/// The start of the bucket holding `t`.
pub fn bucket_start<Tz: TimeZone>(unit: Unit, tz: &Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    let local = t.with_timezone(tz);
    match unit {
        // Hours are whole hours of local time; stepping back the minutes and seconds works in
        // every zone, half-hour offsets included.
        Unit::Hour => {
            t - Duration::seconds(i64::from(local.minute() * 60 + local.second()))
                - Duration::nanoseconds(i64::from(local.nanosecond()))
        }
        Unit::Day => day_start(tz, local.date_naive()),
        Unit::Week => {
            let date = local.date_naive();
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            day_start(tz, monday)
        }
    }
}

/// The start of the bucket after the one starting at `start`.
fn next_start<Tz: TimeZone>(unit: Unit, tz: &Tz, start: DateTime<Utc>) -> DateTime<Utc> {
    match unit {
        Unit::Hour => start + Duration::hours(1),
        Unit::Day | Unit::Week => {
            let days = if unit == Unit::Day { 1 } else { 7 };
            let date = start.with_timezone(tz).date_naive() + Duration::days(days);
            day_start(tz, date)
        }
    }
}

fn label<Tz: TimeZone>(unit: Unit, tz: &Tz, start: DateTime<Utc>, with_offset: bool) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let local = start.with_timezone(tz);
    match (unit, with_offset) {
        (Unit::Hour, false) => local.format("%Y-%m-%d %H:00").to_string(),
        (Unit::Hour, true) => local.format("%Y-%m-%d %H:00 %:z").to_string(),
        (Unit::Day | Unit::Week, _) => local.format("%Y-%m-%d").to_string(),
    }
}

/// Counts `times` into buckets from the one holding `from` to the one holding `to`
/// (inclusive); times outside are ignored. Returns every bucket in order.
pub fn histogram<Tz: TimeZone>(
    unit: Unit,
    tz: &Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    times: impl IntoIterator<Item = DateTime<Utc>>,
) -> Vec<Bucket>
where
    Tz::Offset: std::fmt::Display,
{
    let mut counts: HashMap<DateTime<Utc>, u64> = HashMap::new();
    for t in times {
        *counts.entry(bucket_start(unit, tz, t)).or_default() += 1;
    }
    let mut starts = Vec::new();
    let mut start = bucket_start(unit, tz, from);
    let last = bucket_start(unit, tz, to);
    while start <= last {
        starts.push(start);
        start = next_start(unit, tz, start);
    }
    let labels: Vec<String> = starts.iter().map(|s| label(unit, tz, *s, false)).collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // The repeated hour of an autumn change: name both by their offsets.
            let repeated = (i > 0 && labels[i - 1] == labels[i])
                || labels.get(i + 1).is_some_and(|l| *l == labels[i]);
            Bucket {
                label: if repeated {
                    label(unit, tz, *s, true)
                } else {
                    labels[i].clone()
                },
                start: *s,
                count: counts.get(s).copied().unwrap_or(0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn days_in_utc_include_empty_ones() {
        let times = [t("2026-11-01T10:00:00Z"), t("2026-11-03T23:59:59Z")];
        let b = histogram(Unit::Day, &Utc, times[0], times[1], times);
        let got: Vec<(&str, u64)> = b.iter().map(|b| (b.label.as_str(), b.count)).collect();
        assert_eq!(
            got,
            vec![("2026-11-01", 1), ("2026-11-02", 0), ("2026-11-03", 1)]
        );
    }

    #[test]
    fn weeks_start_on_monday_and_hours_follow_offsets() {
        let tz = FixedOffset::east_opt(5 * 3600 + 1800).unwrap(); // +05:30
        let at = t("2026-11-25T10:10:00Z"); // 15:40 local, a Wednesday
        assert_eq!(bucket_start(Unit::Hour, &tz, at), t("2026-11-25T09:30:00Z"));
        assert_eq!(
            bucket_start(Unit::Week, &tz, at),
            t("2026-11-22T18:30:00Z"),
            "Monday 00:00 local"
        );
    }
}
