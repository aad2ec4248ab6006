//! The zone human output shows times in, and how it names it: `UTC` (with `--utc`, or where
//! the local zone is UTC) or the local offset, `+01:00`.

use chrono::{DateTime, Datelike, Local, Offset, Utc};

use super::Style;

/// Width of a time's own offset, ` +02:00`, shown when it differs from the zone's (a table
/// that spans a change to summer time).
pub const ZONE_SUFFIX_WIDTH: usize = 7;

/// The zone of a table or an event, fixed at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Zone {
    utc: bool,
    /// The local offset at the reference moment, in seconds east of UTC.
    offset: i32,
}

impl Zone {
    /// The zone of `style` as it stands at `reference`.
    pub fn at(style: &Style, reference: &DateTime<Utc>) -> Zone {
        Zone {
            utc: style.utc,
            offset: local_offset(reference),
        }
    }

    /// `UTC` or the offset, `+01:00`.
    pub fn label(&self) -> String {
        if self.utc || self.offset == 0 {
            "UTC".to_owned()
        } else {
            offset_text(self.offset)
        }
    }

    /// ` +02:00` for a time whose local offset is not the zone's; `None` for the others.
    pub fn suffix(&self, t: &DateTime<Utc>) -> Option<String> {
        let own = local_offset(t);
        (!self.utc && own != self.offset).then(|| format!(" {}", offset_text(own)))
    }

    /// The year of a time as shown.
    pub fn local_year(&self, t: &DateTime<Utc>) -> i32 {
        if self.utc {
            t.year()
        } else {
            t.with_timezone(&Local).year()
        }
    }

    /// A time in this zone, in a chrono `pattern`.
    pub fn format(&self, t: &DateTime<Utc>, pattern: &str) -> String {
        if self.utc {
            t.format(pattern).to_string()
        } else {
            t.with_timezone(&Local).format(pattern).to_string()
        }
    }
}

fn local_offset(t: &DateTime<Utc>) -> i32 {
    t.with_timezone(&Local).offset().fix().local_minus_utc()
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A time for people with its zone: `2026-12-02 17:57:44 +01:00`, `… UTC`.
pub fn human_time(t: &DateTime<Utc>, style: &Style) -> String {
    let zone = Zone::at(style, t);
    format!("{} {}", zone.format(t, "%Y-%m-%d %H:%M:%S"), zone.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_iso_8601() {
        assert_eq!(offset_text(3600), "+01:00");
        assert_eq!(offset_text(-(9 * 3600 + 30 * 60)), "-09:30");
        assert_eq!(offset_text(0), "+00:00");
    }

    #[test]
    fn utc_is_named_utc() {
        let style = Style {
            color: false,
            utc: true,
            width: None,
        };
        let t = DateTime::parse_from_rfc3339("2026-12-02T17:57:44Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(human_time(&t, &style), "2026-12-02 17:57:44 UTC");
        assert_eq!(Zone::at(&style, &t).suffix(&t), None);
    }
}
