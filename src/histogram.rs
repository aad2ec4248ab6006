//! Counts over time: events per hour, day, week, month or year in a time zone, with every bucket of
//! the range present (empty ones too). Days and weeks follow the zone's calendar, so a day across
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
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// The most buckets a histogram holds: a year of hours and then some.
pub const MAX_BUCKETS: u64 = 10_000;

impl Unit {
    pub const ALL: [Unit; 5] = [Unit::Hour, Unit::Day, Unit::Week, Unit::Month, Unit::Year];

    pub fn from_name(name: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }

    /// About how long a bucket lasts, for counting buckets before making them.
    fn seconds(self) -> i64 {
        match self {
            Unit::Hour => 3600,
            Unit::Day => 86_400,
            Unit::Week => 7 * 86_400,
            Unit::Month => 28 * 86_400,
            Unit::Year => 365 * 86_400,
        }
    }
}

/// How many buckets `from` to `to` makes, counted generously (a month as 28 days, and the
/// partial buckets at both ends).
pub fn bucket_count(unit: Unit, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    let span = (to - from).num_seconds().max(0) as u64;
    span / unit.seconds() as u64 + 2
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
        Unit::Month => {
            let date = local.date_naive();
            day_start(tz, date.with_day(1).unwrap_or(date))
        }
        Unit::Year => {
            let date = local.date_naive();
            day_start(tz, date.with_ordinal(1).unwrap_or(date))
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
        Unit::Month | Unit::Year => {
            let months = if unit == Unit::Month { 1 } else { 12 };
            let date = start.with_timezone(tz).date_naive();
            let next = date
                .with_day(1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(months)))
                .unwrap_or(date + Duration::days(31 * i64::from(months)));
            day_start(tz, next)
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
        (Unit::Month, _) => local.format("%Y-%m").to_string(),
        (Unit::Year, _) => local.format("%Y").to_string(),
    }
}

/// Counts per bucket, kept as times come: memory grows with the buckets, not the events.
pub struct Counts {
    unit: Unit,
    counts: HashMap<DateTime<Utc>, u64>,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl Counts {
    pub fn new(unit: Unit) -> Counts {
        Counts {
            unit,
            counts: HashMap::new(),
            first: None,
            last: None,
        }
    }

    /// Counts one time in the bucket of `tz` that holds it.
    pub fn add<Tz: TimeZone>(&mut self, tz: &Tz, t: DateTime<Utc>) {
        *self
            .counts
            .entry(bucket_start(self.unit, tz, t))
            .or_default() += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }

    /// The earliest time counted.
    pub fn first(&self) -> Option<DateTime<Utc>> {
        self.first
    }

    /// The latest time counted.
    pub fn last(&self) -> Option<DateTime<Utc>> {
        self.last
    }

    /// Every bucket from the one holding `from` to the one holding `to` (inclusive), in
    /// order; times counted outside are left out.
    pub fn buckets<Tz: TimeZone>(
        &self,
        tz: &Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Bucket>
    where
        Tz::Offset: std::fmt::Display,
    {
        let unit = self.unit;
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
                    count: self.counts.get(s).copied().unwrap_or(0),
                }
            })
            .collect()
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
    let mut counts = Counts::new(unit);
    for t in times {
        counts.add(tz, t);
    }
    counts.buckets(tz, from, to)
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
    fn months_are_calendar_months() {
        let times = [t("2026-01-31T23:00:00Z"), t("2026-03-01T00:00:00Z")];
        let b = histogram(Unit::Month, &Utc, times[0], times[1], times);
        let got: Vec<(&str, u64)> = b.iter().map(|b| (b.label.as_str(), b.count)).collect();
        assert_eq!(got, vec![("2026-01", 1), ("2026-02", 0), ("2026-03", 1)]);
    }

    #[test]
    fn bucket_counts_are_known_before_the_buckets() {
        let (from, to) = (t("0001-01-01T00:00:00Z"), t("9999-12-31T23:59:59Z"));
        assert!(bucket_count(Unit::Day, from, to) > MAX_BUCKETS);
        assert!(bucket_count(Unit::Month, from, to) > MAX_BUCKETS);
        let year = t("2026-12-31T00:00:00Z");
        assert!(bucket_count(Unit::Hour, t("2026-01-01T00:00:00Z"), year) <= MAX_BUCKETS);
        // The far ends of the range make no bucket arithmetic overflow.
        let b = histogram(Unit::Week, &Utc, t("9999-12-20T00:00:00Z"), to, [to]);
        assert_eq!(b.last().unwrap().count, 1);
        let b = histogram(Unit::Month, &Utc, from, t("0001-02-01T00:00:00Z"), [from]);
        assert_eq!(b[0].count, 1);
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
