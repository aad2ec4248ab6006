//! The distinct terms of one search document, in the order first seen: a set of spans of the
//! text being written, so that a repeated term costs one hash and one comparison. An import
//! makes tens of millions of terms, a third of them repeats within their event; sorting them to
//! find the repeats was a sixth of the work of making an entry.

use std::hash::BuildHasher;
use std::sync::LazyLock;

/// Seeded once a process: an event's terms are its writer's to choose, and a hash they could
/// predict would let one event fill a slot's run with thousands of terms.
static SEED: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);

/// The terms added so far, each once, separated by single spaces.
pub struct DistinctTerms {
    text: Vec<u8>,
    /// Where each term lies in `text`, at the slot its hash picks or the next free one after
    /// it; a free slot has `end` 0 (a term is never empty). Never more than half full.
    slots: Vec<Span>,
    count: usize,
}

#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    end: usize,
}

impl Default for DistinctTerms {
    fn default() -> Self {
        DistinctTerms {
            text: Vec::with_capacity(1024),
            slots: vec![Span::default(); 256],
            count: 0,
        }
    }
}

impl DistinctTerms {
    /// Adds `term` unless it is there already. An empty term adds nothing.
    pub fn add(&mut self, term: &[u8]) {
        if term.is_empty() {
            return;
        }
        let (i, there) = self.slot_of(term);
        if there {
            return;
        }
        if !self.text.is_empty() {
            self.text.push(b' ');
        }
        let start = self.text.len();
        self.text.extend_from_slice(term);
        self.slots[i] = Span {
            start,
            end: self.text.len(),
        };
        self.count += 1;
        if self.count * 2 > self.slots.len() {
            self.grow();
        }
    }

    /// The terms, each once, separated by single spaces.
    pub fn into_text(self) -> Vec<u8> {
        self.text
    }

    /// The slot holding `term` (and true), or the free slot where it goes (and false).
    fn slot_of(&self, term: &[u8]) -> (usize, bool) {
        // The table's size is a power of two; the hash's high bits are its best.
        let bits = self.slots.len().trailing_zeros();
        let mut i = (SEED.hash_one(term) >> (64 - bits)) as usize;
        loop {
            let Span { start, end } = self.slots[i];
            if end == 0 {
                return (i, false);
            }
            if &self.text[start..end] == term {
                return (i, true);
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    fn grow(&mut self) {
        let bigger = vec![Span::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        for span in old.into_iter().filter(|s| s.end != 0) {
            // The terms are distinct: each finds a free slot.
            let (i, _) = self.slot_of(&self.text[span.start..span.end]);
            self.slots[i] = span;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct(terms: &[&[u8]]) -> Vec<u8> {
        let mut set = DistinctTerms::default();
        terms.iter().for_each(|t| set.add(t));
        set.into_text()
    }

    #[test]
    fn repeats_and_empty_terms_are_left_out() {
        assert_eq!(distinct(&[b"b", b"a", b"b", b"", b"a", b"c"]), b"b a c");
        assert_eq!(distinct(&[]), b"");
    }

    proptest::proptest! {
        /// Every term once, in the order first seen, however many there are (the table grows
        /// past its first 256 slots) and however alike they are.
        #[test]
        fn each_term_once_in_the_order_first_seen(
            terms in proptest::collection::vec("[ab]{1,3}|[a-z0-9.-]{1,12}", 0..700),
        ) {
            let mut seen = std::collections::HashSet::new();
            let expected: Vec<&str> =
                terms.iter().map(String::as_str).filter(|t| seen.insert(*t)).collect();
            let bytes: Vec<&[u8]> = terms.iter().map(|t| t.as_bytes()).collect();
            proptest::prop_assert_eq!(distinct(&bytes), expected.join(" ").into_bytes());
        }
    }
}
