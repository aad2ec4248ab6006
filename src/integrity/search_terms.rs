//! A search index that does not match its entries, narrowed down to the events that differ and
//! what differs in each. `verify` compares the two as sums of keyed hashes, one for each group
//! of seqs (`TermSums`); where a few groups differ, this reads them again, summing each event
//! apart, and then reads the terms of the events found, to say which terms the index lacks or
//! holds beyond the entry's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::verify::{LogTables, Report};
use crate::model::Event;
use crate::redact::Redactor;
use crate::store::check::{Key, TermSums};

/// At most this many events are read again, one by one (their per-event sums held in memory
/// meanwhile): the differing groups are read again while they hold no more. An index emptied
/// or rebuilt wholesale in a large store then gets the general finding, without the whole log
/// read a second time.
const MOST_READ_AGAIN: u64 = 250_000;

/// At most this many events are named.
const MOST_EVENTS: usize = 20;

/// One event whose terms in the search index are not its entry's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub seq: u64,
    /// Terms of the entry the index does not hold for it: searches for them miss it.
    pub lacks: Vec<String>,
    /// Terms the index holds for it that the entry does not have: searches find it for them.
    pub extra: Vec<String>,
    /// How many terms the index holds for it from values under sensitive keys, which it must
    /// never hold (a search would confirm a guessed secret); not shown.
    pub secrets: usize,
}

/// The events found, the first `MOST_EVENTS` by seq, how many differ in all, and how many
/// were read again.
#[derive(Debug, Default)]
pub struct Differences {
    pub events: Vec<Difference>,
    pub total: usize,
    pub read_again: usize,
}

/// The events up to seq `last` in `groups` (of `TermSums`) whose terms in the index differ from
/// their entries', or None if they are too many to read again. An entry that is missing
/// or cannot be read (found by the log check) should have no terms in the index.
pub fn differences(
    store: &dyn LogTables,
    key: &Key,
    groups: &[u64],
    last: u64,
    search: &Redactor,
) -> anyhow::Result<Option<Differences>> {
    let per_group = last.div_ceil(TermSums::GROUPS);
    if groups.is_empty() || groups.len() as u64 * per_group > MOST_READ_AGAIN {
        return Ok(None);
    }
    let in_groups = |seq: u64| {
        (1..=last).contains(&seq) && groups.binary_search(&(seq % TermSums::GROUPS)).is_ok()
    };
    // The index's sum for each event of those groups...
    let mut held: HashMap<u64, u64> = HashMap::new();
    store.index_terms(&in_groups, &mut |seq, term| {
        let sum = held.entry(seq).or_default();
        *sum = sum.wrapping_add(key.posting(key.term(term), seq));
    })?;
    // ...against the entry's, each read by its seq.
    let (mut differing, mut read_again) = (Vec::new(), 0);
    for &group in groups {
        let first = if group == 0 { TermSums::GROUPS } else { group };
        for seq in (first..=last).step_by(TermSums::GROUPS as usize) {
            read_again += 1;
            let want = event_at(store, seq)?.map_or(0, |e| key.event_terms(seq, &e, search));
            if held.get(&seq).copied().unwrap_or(0) != want {
                differing.push(seq);
            }
        }
    }
    differing.sort_unstable();
    let total = differing.len();
    differing.truncate(MOST_EVENTS);

    // The terms of the events found, on both sides.
    let named: BTreeSet<u64> = differing.iter().copied().collect();
    let mut index_terms: BTreeMap<u64, BTreeSet<Vec<u8>>> = BTreeMap::new();
    store.index_terms(&|seq| named.contains(&seq), &mut |seq, term| {
        index_terms.entry(seq).or_default().insert(term.to_vec());
    })?;
    let mut events = Vec::with_capacity(named.len());
    let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
    for seq in named {
        // The entry's terms in the order its document has them (message, user, ...), which
        // says more than the alphabet's.
        let (mut entry_terms, mut in_order, mut hidden) =
            (BTreeSet::new(), Vec::new(), BTreeSet::new());
        if let Some(event) = event_at(store, seq)? {
            crate::store::for_each_search_term(&event, search, &mut |t| {
                if entry_terms.insert(t.to_vec()) {
                    in_order.push(t.to_vec());
                }
            });
            crate::query::search::for_each_hidden_piece(&event, search, &mut |piece| {
                crate::query::search::for_each_term_bytes(piece, &mut |t| {
                    hidden.insert(t.to_vec());
                })
            });
        }
        let index_terms = index_terms.remove(&seq).unwrap_or_default();
        // Terms of the entry's secrets are counted, never shown: verify's output is read by
        // people the entry's redaction is for.
        let (secrets, extra): (Vec<&Vec<u8>>, Vec<&Vec<u8>>) = index_terms
            .difference(&entry_terms)
            .partition(|t| hidden.contains(*t));
        events.push(Difference {
            seq,
            lacks: in_order
                .iter()
                .filter(|t| !index_terms.contains(*t))
                .map(|t| text(t))
                .collect(),
            extra: extra.into_iter().map(|t| text(t)).collect(),
            secrets: secrets.len(),
        });
    }
    Ok(Some(Differences {
        events,
        total,
        read_again,
    }))
}

/// Adds to `report` the events whose terms in the search index (called `index`) differ from
/// their entries', found in the differing `groups`; or, if they are too many to look for or
/// none is found, `otherwise`.
pub fn report(
    report: &mut Report,
    store: &dyn LogTables,
    key: &Key,
    groups: &[u64],
    last: u64,
    index: &str,
    otherwise: &str,
) -> anyhow::Result<()> {
    let found = differences(store, key, groups, last, &store.search_redactor())?;
    match found {
        Some(found) if found.total > 0 => {
            // Every event looked at differs: the index as a whole, more likely than each event
            // (said first, as the list of the others is cut short).
            let more = found.total - found.events.len();
            if more > 0 && found.total == found.read_again {
                report.problem(None, otherwise);
            }
            for d in &found.events {
                report.problem(Some(d.seq), d.describe(index));
            }
            if more > 0 {
                report.problem(
                    None,
                    format!("{index} differs from the entries of {more} more events"),
                );
            }
        }
        _ => report.problem(None, otherwise),
    }
    Ok(())
}

/// The event stored at `seq`, if it is there and can be read.
fn event_at(store: &dyn LogTables, seq: u64) -> anyhow::Result<Option<Event>> {
    Ok(store
        .entry_at(seq)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

impl Difference {
    /// What is wrong with the event, as `verify` says it.
    pub fn describe(&self, index: &str) -> String {
        let mut said = self.differs(index);
        if self.secrets > 0 {
            let what = format!(
                "{} term{} of values under sensitive keys, which searches must never find (one \
                 would confirm a guessed secret)",
                self.secrets,
                if self.secrets == 1 { "" } else { "s" }
            );
            said = Some(match said {
                Some(said) => format!("{said}; it also holds {what}"),
                None => format!("{index} holds {what}"),
            });
        }
        said.unwrap_or_else(|| format!("{index} holds some of its terms more than once"))
    }

    /// What differs in the terms that may be shown.
    fn differs(&self, index: &str) -> Option<String> {
        let lacks = quoted(&self.lacks);
        let extra = quoted(&self.extra);
        let (term, them) = if self.lacks.len() == 1 {
            ("term", "it")
        } else {
            ("terms", "them")
        };
        let them_extra = if self.extra.len() == 1 { "it" } else { "them" };
        Some(match (self.lacks.is_empty(), self.extra.is_empty()) {
            (false, false) => format!(
                "{index} lacks its {term} {lacks} and holds {extra}, which its entry does not \
                 have: searches miss this event, or find it for what it does not say"
            ),
            (false, true) => {
                format!("{index} lacks its {term} {lacks}: searches for {them} miss this event")
            }
            (true, false) => format!(
                "{index} holds {extra} for it, which its entry does not have: searches for \
                 {them_extra} find this event"
            ),
            // The same terms, or held more than once: a segment planted beside another.
            (true, true) => return None,
        })
    }
}

/// Up to five terms, quoted, and how many more.
fn quoted(terms: &[String]) -> String {
    let mut out: Vec<String> = terms.iter().take(5).map(|t| format!("{t:?}")).collect();
    if terms.len() > 5 {
        out.push(format!("{} more", terms.len() - 5));
    }
    match out.len() {
        0 => String::new(),
        1 => out.remove(0),
        n => format!("{} and {}", out[..n - 1].join(", "), out[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_quoted_and_counted() {
        let terms = |n: usize| (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>();
        assert_eq!(quoted(&terms(1)), r#""t0""#);
        assert_eq!(quoted(&terms(2)), r#""t0" and "t1""#);
        assert_eq!(
            quoted(&terms(7)),
            r#""t0", "t1", "t2", "t3", "t4" and 2 more"#
        );
        let mut d = Difference {
            seq: 4,
            lacks: vec!["alice".into()],
            extra: vec!["bob".into()],
            secrets: 0,
        };
        assert_eq!(
            d.describe("the index"),
            "the index lacks its term \"alice\" and holds \"bob\", which its entry does not \
             have: searches miss this event, or find it for what it does not say"
        );
        d.secrets = 2;
        assert!(d.describe("the index").ends_with(
            "for what it does not say; it also holds 2 terms of values under sensitive keys, \
             which searches must never find (one would confirm a guessed secret)"
        ));
        d.lacks.clear();
        d.extra.clear();
        d.secrets = 1;
        assert!(
            d.describe("the index")
                .starts_with("the index holds 1 term of values under sensitive keys")
        );
    }
}
