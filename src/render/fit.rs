//! Fitting a table to the terminal: which columns show, how wide each is, and how much of a
//! time it gives. Columns give way in a fixed order, as `kubectl get` and `ps` do: the message
//! first, then shorter times and addresses, then the least useful columns; columns the user
//! named with `--columns` are never dropped.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Column;

/// Spaces between columns.
pub const GAP: usize = 2;
/// Narrowest message worth showing; below this it goes (or, when named, stays at this width).
const MIN_MESSAGE: usize = 12;
/// Narrowest any other column is squeezed to.
const MIN_SQUEEZED: usize = 8;
/// Widest an address gets once addresses give way: every IPv4 address, IPv6 ones cut in the
/// middle.
const IP_SHORT: usize = 15;

/// How much of a time a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeForm {
    /// `2026-12-02 17:57:44`
    Seconds,
    /// `2026-12-02 17:57`
    Minutes,
    /// `12-02 17:57`, only when every row is in one year.
    NoYear,
}

impl TimeForm {
    pub fn pattern(self) -> &'static str {
        match self {
            TimeForm::Seconds => "%Y-%m-%d %H:%M:%S",
            TimeForm::Minutes => "%Y-%m-%d %H:%M",
            TimeForm::NoYear => "%m-%d %H:%M",
        }
    }

    pub fn width(self) -> usize {
        match self {
            TimeForm::Seconds => 19,
            TimeForm::Minutes => 16,
            TimeForm::NoYear => 11,
        }
    }
}

/// What the rows of a table ask for.
#[derive(Debug, Clone)]
pub struct Wants<'a> {
    pub columns: &'a [Column],
    /// Each column's widest cell or header; for the time column, its header only.
    pub natural: &'a [usize],
    /// Width some time cells add to the form's (a zone offset of their own), else 0.
    pub time_extra: usize,
    /// The user named the columns: none is dropped.
    pub named: bool,
    /// Every row is in one year, so the time may leave it out.
    pub one_year: bool,
}

/// The layout: each column's width, `None` for a column left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub widths: Vec<Option<usize>>,
    pub time: TimeForm,
}

impl Plan {
    /// The width of the laid-out table.
    pub fn total(&self) -> usize {
        total(&self.widths)
    }
}

fn total(widths: &[Option<usize>]) -> usize {
    let shown: Vec<usize> = widths.iter().flatten().copied().collect();
    shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1)
}

/// One way of giving up width, in the order they are tried.
#[derive(Debug, Clone, Copy)]
enum Step {
    TimeForm(TimeForm),
    ShortIp,
    Drop(Column),
    Squeeze,
}

const STEPS: [Step; 6] = [
    Step::TimeForm(TimeForm::Minutes),
    Step::ShortIp,
    Step::Drop(Column::Changes),
    Step::TimeForm(TimeForm::NoYear),
    Step::Drop(Column::Ip),
    Step::Squeeze,
];

/// Columns that may be squeezed below their natural width in the last step.
fn squeezable(c: Column) -> bool {
    !matches!(
        c,
        Column::Seq | Column::Time | Column::Outcome | Column::Changes | Column::Message
    )
}

/// Lays out a table in `width` columns; with no width every column shows whole.
pub fn plan(wants: &Wants, width: Option<usize>) -> Plan {
    let plan = give_way(wants, width);
    let Some(width) = width else {
        return plan;
    };
    // A column dropped late may leave room for more of the time than an earlier step kept.
    for form in [TimeForm::Seconds, TimeForm::Minutes] {
        if form.width() <= plan.time.width() {
            break;
        }
        let mut wider = plan.clone();
        wider.time = form;
        set_time_width(&mut wider, wants);
        if wider.total() <= width {
            return wider;
        }
    }
    plan
}

/// Takes the steps of giving way, in order, until the table fits.
fn give_way(wants: &Wants, width: Option<usize>) -> Plan {
    let mut plan = Plan {
        widths: wants.natural.iter().map(|w| Some(*w)).collect(),
        time: TimeForm::Seconds,
    };
    set_time_width(&mut plan, wants);
    let Some(width) = width else {
        return plan;
    };
    let message = wants.columns.iter().position(|c| *c == Column::Message);
    let mut steps = STEPS.iter();
    loop {
        // The message takes what the other columns leave: it gives way before anything else.
        if let Some(m) = message {
            let natural = wants.natural[m];
            plan.widths[m] = None;
            let others = plan.total();
            let room = if others == 0 {
                width
            } else {
                width.saturating_sub(others + GAP)
            };
            if room >= natural.min(MIN_MESSAGE) {
                plan.widths[m] = Some(natural.min(room));
                return plan;
            }
            if wants.named {
                plan.widths[m] = Some(natural.min(MIN_MESSAGE));
            }
        }
        if plan.total() <= width {
            return plan;
        }
        let Some(step) = steps.next() else {
            return plan;
        };
        apply(*step, &mut plan, wants, width);
    }
}

fn apply(step: Step, plan: &mut Plan, wants: &Wants, width: usize) {
    match step {
        Step::TimeForm(TimeForm::NoYear) if !wants.one_year => {}
        Step::TimeForm(form) => {
            plan.time = form;
            set_time_width(plan, wants);
        }
        Step::ShortIp => {
            for (c, w) in wants.columns.iter().zip(&mut plan.widths) {
                if *c == Column::Ip
                    && let Some(w) = w
                {
                    *w = (*w).min(IP_SHORT.max(Column::Ip.name().len()));
                }
            }
        }
        Step::Drop(_) if wants.named => {}
        Step::Drop(dropped) => {
            for (c, w) in wants.columns.iter().zip(&mut plan.widths) {
                if *c == dropped {
                    *w = None;
                }
            }
        }
        Step::Squeeze => {
            // The widest squeezable column gives a column at a time, until the table fits.
            while plan.total() > width {
                let widest = wants
                    .columns
                    .iter()
                    .zip(&plan.widths)
                    .enumerate()
                    .filter(|(_, (c, w))| squeezable(**c) && w.is_some_and(|w| w > MIN_SQUEEZED))
                    .max_by_key(|(_, (_, w))| w.unwrap_or(0))
                    .map(|(i, _)| i);
                match widest {
                    Some(i) => plan.widths[i] = plan.widths[i].map(|w| w - 1),
                    None => break,
                }
            }
        }
    }
}

fn set_time_width(plan: &mut Plan, wants: &Wants) {
    for (i, c) in wants.columns.iter().enumerate() {
        if *c == Column::Time
            && let Some(w) = &mut plan.widths[i]
        {
            *w = wants.natural[i].max(plan.time.width() + wants.time_extra);
        }
    }
}

/// Cuts text to `width` display columns, ending in an ellipsis when cut.
pub fn cut_end(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = take_width(text.chars(), width.saturating_sub(1));
    out.push('…');
    out
}

/// Cuts text to `width` display columns by leaving out its middle, so both ends of an address
/// stay: `2001:db8…:1::2a`.
pub fn cut_middle(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let room = width.saturating_sub(1);
    let head = take_width(text.chars(), room - room / 2);
    let tail: String = take_width(text.chars().rev(), room / 2)
        .chars()
        .rev()
        .collect();
    format!("{head}…{tail}")
}

/// The longest run of `chars` that fits in `width` display columns.
fn take_width(chars: impl Iterator<Item = char>, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::DEFAULT_TABLE_COLUMNS;
    use proptest::prelude::*;

    fn wants_of<'a>(columns: &'a [Column], natural: &'a [usize], named: bool) -> Wants<'a> {
        Wants {
            columns,
            natural,
            time_extra: 0,
            named,
            one_year: true,
        }
    }

    /// The demo store's widest rows.
    const DEMO: [usize; 9] = [4, 10, 15, 16, 7, 11, 11, 40, 8];

    #[test]
    fn a_wide_terminal_shows_everything_whole() {
        let plan = plan(&wants_of(&DEFAULT_TABLE_COLUMNS, &DEMO, false), Some(200));
        assert_eq!(plan.time, TimeForm::Seconds);
        assert!(plan.widths.iter().all(Option::is_some));
        assert_eq!(plan.widths[7], Some(40));
    }

    #[test]
    fn at_80_columns_the_message_goes_first_then_time_and_ip_shorten() {
        let plan = plan(&wants_of(&DEFAULT_TABLE_COLUMNS, &DEMO, false), Some(80));
        assert!(plan.total() <= 80, "{plan:?}");
        let shown: Vec<Column> = DEFAULT_TABLE_COLUMNS
            .iter()
            .zip(&plan.widths)
            .filter(|(_, w)| w.is_some())
            .map(|(c, _)| *c)
            .collect();
        assert!(!shown.contains(&Column::Message));
        assert!(shown.contains(&Column::User) && shown.contains(&Column::ResourceId));
    }

    #[test]
    fn named_columns_stay() {
        let plan = plan(&wants_of(&DEFAULT_TABLE_COLUMNS, &DEMO, true), Some(80));
        assert!(plan.widths.iter().all(Option::is_some), "{plan:?}");
        assert_eq!(plan.time, TimeForm::NoYear);
    }

    #[test]
    fn the_year_stays_when_rows_span_years() {
        let mut wants = wants_of(&DEFAULT_TABLE_COLUMNS, &DEMO, true);
        wants.one_year = false;
        assert_eq!(plan(&wants, Some(60)).time, TimeForm::Minutes);
    }

    proptest! {
        /// Whatever the rows, a table of default columns fits any terminal 70 or wider, and
        /// a column shown is never wider than it wants.
        #[test]
        fn default_tables_fit(
            natural in proptest::collection::vec(1usize..200, 9),
            width in 70usize..300,
            one_year: bool,
        ) {
            let mut natural = natural;
            for (n, c) in natural.iter_mut().zip(DEFAULT_TABLE_COLUMNS) {
                *n = (*n).max(c.name().len());
            }
            // Sequence numbers up to ten billion; a time header with its zone.
            natural[0] = natural[0].min(11);
            natural[1] = natural[1].min(13);
            let wants = Wants { one_year, ..wants_of(&DEFAULT_TABLE_COLUMNS, &natural, false) };
            let plan = plan(&wants, Some(width));
            prop_assert!(plan.total() <= width, "{plan:?} in {width}");
            for (i, w) in plan.widths.iter().enumerate() {
                if let Some(w) = w && DEFAULT_TABLE_COLUMNS[i] != Column::Time {
                    prop_assert!(*w <= natural[i]);
                }
            }
        }

        /// Named columns are all shown, whatever the width.
        #[test]
        fn named_columns_are_never_dropped(
            natural in proptest::collection::vec(4usize..100, 9),
            width in 1usize..300,
        ) {
            let plan = plan(&wants_of(&DEFAULT_TABLE_COLUMNS, &natural, true), Some(width));
            prop_assert!(plan.widths.iter().all(Option::is_some));
        }
    }
}
