//! The loaded part of the view: a few pages of rows around the screen, where the screen and
//! the selection are in it, and where it lies in the whole view. Moving stays inside it; it
//! says when to load more at either end, and takes in what was loaded.

use super::effect::{Load, Row};
use crate::model::Event;

#[derive(Debug, Default)]
pub struct Window {
    pub rows: Vec<Row>,
    /// The position of `rows[0]` in the view.
    pub start: u64,
    /// How many events the view has.
    pub total: u64,
    /// Whether `rows` reaches the first / last event of the view.
    pub at_start: bool,
    pub at_end: bool,
    /// The index in `rows` of the first row on screen, and of the selected one.
    pub top: usize,
    pub cursor: usize,
}

/// What to load to keep the window ahead of the selection: the rows after the last one, the
/// rows before the first one.
#[derive(Debug, Default, PartialEq)]
pub struct Wanted {
    pub after: Option<Event>,
    pub before: Option<Event>,
}

impl Window {
    /// An empty window: nothing loaded yet.
    pub fn new() -> Window {
        Window {
            at_start: true,
            at_end: true,
            ..Window::default()
        }
    }

    pub fn selected(&self) -> Option<&Event> {
        self.rows.get(self.cursor).map(|r| &r.event)
    }

    /// The rows on a screen of `height` rows.
    pub fn visible(&self, height: usize) -> &[Row] {
        let end = (self.top + height).min(self.rows.len());
        &self.rows[self.top.min(end)..end]
    }

    /// The position of the selected event in the view, from 1.
    pub fn position(&self) -> u64 {
        self.start + self.cursor as u64 + 1
    }

    /// Moves the selection `d` rows (down when positive), within what is loaded.
    pub fn move_by(&mut self, d: isize, height: usize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() as isize - 1;
        self.cursor = (self.cursor as isize + d).clamp(0, last) as usize;
        self.scroll_to_cursor(height);
    }

    /// Turns a page of `d` rows: the screen moves as the selection does, so no row of the
    /// last page shows again (as far as the rows loaded go).
    pub fn page(&mut self, d: isize, height: usize) {
        if self.rows.is_empty() {
            return;
        }
        let (cursor, top) = (self.cursor as isize, self.top as isize);
        let last = self.rows.len() as isize - 1;
        self.cursor = (cursor + d).clamp(0, last) as usize;
        let highest = self.rows.len().saturating_sub(height) as isize;
        self.top = (top + self.cursor as isize - cursor).clamp(0, highest) as usize;
        self.scroll_to_cursor(height);
    }

    /// Keeps the selected row on a screen of `height` rows.
    pub fn scroll_to_cursor(&mut self, height: usize) {
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + height {
            self.top = self.cursor + 1 - height;
        }
        // No blank rows below the last event when there are events above the screen.
        if self.at_end && self.rows.len() >= height && self.top + height > self.rows.len() {
            self.top = self.rows.len() - height;
        }
    }

    /// What to load before the selection can reach an end of what is loaded: more than a page
    /// must lie loaded on either side of it, so that a key never waits for two loads.
    pub fn wanted(&self, height: usize) -> Wanted {
        let margin = height + 1;
        let after = self
            .rows
            .last()
            .filter(|_| !self.at_end && self.rows.len() - 1 - self.cursor < margin);
        let before = self
            .rows
            .first()
            .filter(|_| !self.at_start && self.cursor < margin);
        Wanted {
            after: after.map(|r| r.event.clone()),
            before: before.map(|r| r.event.clone()),
        }
    }

    /// Puts loaded rows in the window, keeping at most `keep` (those far from the screen go);
    /// `start` is the position of the first row where the load counted it.
    pub fn take(&mut self, load: Load, mut rows: Vec<Row>, start: Option<u64>, height: usize) {
        let keep = height * 8;
        let got = rows.len();
        match load {
            Load::Top(n) => {
                self.rows = rows;
                (self.start, self.top, self.cursor) = (0, 0, 0);
                self.at_start = true;
                self.at_end = got < n;
            }
            Load::Bottom(n) => {
                self.rows = rows;
                self.start = self.total.saturating_sub(got as u64);
                self.cursor = got.saturating_sub(1);
                self.top = got.saturating_sub(height);
                self.at_start = got < n;
                self.at_end = true;
            }
            Load::Around { anchor, n, .. } => {
                let Some(index) = rows.iter().position(|r| r.event.seq == anchor.seq) else {
                    // The anchor left the view: its top.
                    return self.take(Load::Top(n), rows, Some(0), height);
                };
                self.at_start = index < n;
                self.at_end = got - index - 1 < n;
                self.rows = rows;
                self.start = start.unwrap_or(0);
                self.cursor = index;
                self.top = index.saturating_sub(height / 2);
            }
            Load::After(anchor, n) => {
                if self.rows.last().map(|r| r.event.seq) != Some(anchor.seq) {
                    return;
                }
                self.at_end = got < n;
                self.rows.append(&mut rows);
                let excess = self.rows.len().saturating_sub(keep);
                let drop = excess.min(self.top.min(self.cursor));
                if drop > 0 {
                    self.rows.drain(..drop);
                    self.start += drop as u64;
                    self.top -= drop;
                    self.cursor -= drop;
                    self.at_start = false;
                }
            }
            Load::Before(anchor, n) => {
                if self.rows.first().map(|r| r.event.seq) != Some(anchor.seq) {
                    return;
                }
                self.at_start = got < n;
                self.start = if self.at_start {
                    0
                } else {
                    self.start.saturating_sub(got as u64)
                };
                rows.append(&mut self.rows);
                self.rows = rows;
                self.top += got;
                self.cursor += got;
                let keep = keep.max(self.top + height + 1);
                if self.rows.len() > keep {
                    self.rows.truncate(keep);
                    self.at_end = false;
                }
            }
        }
        self.scroll_to_cursor(height);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rows(seqs: std::ops::Range<u64>) -> Vec<Row> {
        seqs.map(|seq| {
            let mut e: Event = serde_json::from_value(serde_json::json!({
                "id": format!("e{seq}"), "time": "2026-11-30T11:00:00Z", "user": "u",
                "action": "LOGIN"
            }))
            .unwrap();
            e.seq = Some(seq);
            Row::new(e, String::new())
        })
        .collect()
    }

    #[test]
    fn asks_for_more_a_page_before_the_end_and_lets_go_of_far_rows() {
        let h = 10;
        let mut w = Window::new();
        w.total = 1000;
        w.take(Load::Top(20), rows(0..20), Some(0), h);
        assert_eq!(w.wanted(h), Wanted::default());
        w.move_by(9, h);
        let anchor = w.wanted(h).after.expect("the rows after");
        assert_eq!(anchor.seq, Some(19));
        assert_eq!(w.wanted(h).before, None, "the top is loaded");
        for page in 1..10u64 {
            let last = w.rows.last().unwrap().event.clone();
            w.take(
                Load::After(last, 20),
                rows(page * 20..page * 20 + 20),
                None,
                h,
            );
            w.move_by(20, h);
        }
        assert!(w.rows.len() <= 8 * h, "{} rows kept", w.rows.len());
        assert!(!w.at_start);
        assert_eq!(w.selected().unwrap().seq, Some(w.position() - 1));
        assert!(w.wanted(h).before.is_none() || w.cursor < h + 1);
        // A load for rows that are no longer at the window's end is dropped.
        let stale = rows(0..1).remove(0).event;
        let before = w.rows.len();
        w.take(Load::After(stale, 20), rows(500..520), None, h);
        assert_eq!(w.rows.len(), before);
    }

    /// What a viewer does to its window: moves, pages, and the ends.
    #[derive(Debug, Clone)]
    enum Op {
        Move(isize),
        Page(isize),
        Top,
        Bottom,
    }

    /// A view of `n` events, seqs 0..n in order, served as a store would serve the loads.
    fn serve(n: u64, load: &Load) -> (Vec<Row>, Option<u64>) {
        match load {
            Load::Top(k) => (rows(0..(*k as u64).min(n)), Some(0)),
            Load::Bottom(k) => (rows(n.saturating_sub(*k as u64)..n), None),
            Load::After(e, k) => {
                let from = e.seq.unwrap() + 1;
                (rows(from.min(n)..(from + *k as u64).min(n)), None)
            }
            Load::Before(e, k) => {
                let to = e.seq.unwrap();
                (rows(to.saturating_sub(*k as u64)..to), None)
            }
            Load::Around { .. } => unreachable!("not drawn"),
        }
    }

    proptest! {
        /// Whatever the keys, the window is a run of the view in order, the selection is the
        /// event at the position the status line shows, it is on screen, a page either way
        /// is loaded (or the view ends there), and the window stays a few pages long.
        #[test]
        fn the_window_is_always_the_view_around_the_screen(
            n in 0u64..400,
            height in 1usize..30,
            ops in prop::collection::vec(
                prop_oneof![
                    (-40isize..40).prop_map(Op::Move),
                    prop_oneof![Just(1isize), Just(-1)].prop_map(Op::Page),
                    Just(Op::Top),
                    Just(Op::Bottom),
                ],
                1..60,
            ),
        ) {
            let batch = height * 2;
            let mut w = Window::new();
            w.total = n;
            let (got, start) = serve(n, &Load::Top(batch));
            w.take(Load::Top(batch), got, start, height);
            for op in ops {
                match op {
                    Op::Move(d) => w.move_by(d, height),
                    Op::Page(d) => w.page(d * height as isize, height),
                    Op::Top => {
                        let (got, start) = serve(n, &Load::Top(batch));
                        w.take(Load::Top(batch), got, start, height);
                    }
                    Op::Bottom => {
                        let (got, start) = serve(n, &Load::Bottom(batch));
                        w.take(Load::Bottom(batch), got, start, height);
                    }
                }
                // The loads the viewer asks for after every key, and after every load.
                for _ in 0..10 {
                    let wanted = w.wanted(height);
                    if wanted == Wanted::default() {
                        break;
                    }
                    for load in [
                        wanted.after.map(|e| Load::After(e, batch)),
                        wanted.before.map(|e| Load::Before(e, batch)),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        let (got, start) = serve(n, &load);
                        w.take(load, got, start, height);
                    }
                }
                let seqs: Vec<u64> = w.rows.iter().map(|r| r.event.seq.unwrap()).collect();
                let expected: Vec<u64> = (w.start..w.start + seqs.len() as u64).collect();
                prop_assert_eq!(&seqs, &expected, "a run of the view from its start");
                // An end is known only once a load came back short; then it is the end.
                prop_assert!(!w.at_start || w.start == 0);
                prop_assert!(!w.at_end || w.start + seqs.len() as u64 == n);
                if n > 0 {
                    prop_assert_eq!(w.selected().unwrap().seq, Some(w.position() - 1));
                    prop_assert!(w.top <= w.cursor && w.cursor < w.top + height);
                    prop_assert!(w.at_end || seqs.len() - 1 - w.cursor > height);
                    prop_assert!(w.at_start || w.cursor > height);
                }
                prop_assert!(seqs.len() <= height * 8 + height + 1);
            }
        }
    }
}
