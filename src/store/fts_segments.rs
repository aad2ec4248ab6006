//! Reads the search index's (term, seq) pairs straight from FTS5's segment pages, for
//! `verify`. Through `fts5vocab` each of a million events' 56 terms is a row of SQLite's virtual
//! machine, 4 s of the check; decoding the pages where they lie is a tenth of that.
//!
//! The format is FTS5's for a `detail = none` index (the comments of SQLite's `fts5_index.c`):
//! a structure record listing segments, each a run of leaf pages holding prefix-compressed
//! terms, each followed by its doclist of rowids. Only what this store writes is accepted: a
//! delete marker or a tombstone page would hide a document from searches while its pages still
//! hold it, so either is damage, not something to interpret.

use rusqlite::Connection;

/// The `%_data` rowid of the structure record.
const STRUCTURE_ID: i64 = 10;
/// A leaf page's rowid is its segment's id shifted past the page number, the doclist-index
/// flag and the doclist-index height (`fts5_dri`).
const SEGMENT_ID_SHIFT: u32 = 31 + 5 + 1;
const LARGEST_PAGE: u64 = (1 << 31) - 1;
const LARGEST_SEGMENT: u64 = (1 << 16) - 1;

/// Why the pages could not be read as an index this store wrote.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// The index is not as FTS5 writes it for this store; the sentence says where.
    #[error("{0}")]
    Damaged(String),
}

fn damaged(why: impl Into<String>) -> SegmentError {
    SegmentError::Damaged(why.into())
}

/// Calls `each(term, seq)` for every pair the index `table` (an FTS5 table of this store's
/// kind) holds: segment by segment, in term order and then seq order within a segment.
pub fn for_each_posting(
    conn: &Connection,
    table: &str,
    each: &mut dyn FnMut(&[u8], i64),
) -> Result<(), SegmentError> {
    let data = format!("\"{}_data\"", table.replace('"', "\"\""));
    let structure: Option<Vec<u8>> = conn
        .query_row(
            &format!("SELECT block FROM {data} WHERE id = ?1"),
            [STRUCTURE_ID],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    // FTS5 writes the structure record with the first document; before that there is none.
    let Some(structure) = structure else {
        return Ok(());
    };
    let mut pages = conn.prepare(&format!(
        "SELECT id, block FROM {data} WHERE id BETWEEN ?1 AND ?2"
    ))?;
    for segment in segments(&structure)? {
        if segment.first == 0 {
            // Wholly merged into another segment, and not yet dropped from the structure.
            continue;
        }
        let base = (segment.id as i64) << SEGMENT_ID_SHIFT;
        let mut rows = pages.query([base + segment.first as i64, base + segment.last as i64])?;
        let mut walk = Walk::default();
        let mut expected = segment.first;
        while let Some(row) = rows.next()? {
            let page_no = (row.get::<_, i64>(0)? - base) as u64;
            if page_no != expected {
                break;
            }
            let page = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            walk.leaf(page, each).map_err(|why| {
                damaged(format!("page {page_no} of segment {} {why}", segment.id))
            })?;
            expected += 1;
        }
        if expected <= segment.last {
            return Err(damaged(format!(
                "segment {} lacks page {expected}",
                segment.id
            )));
        }
    }
    Ok(())
}

/// A segment as the structure record lists it: its id and its first and last leaf pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    id: u64,
    first: u64,
    last: u64,
}

/// The 4-byte mark after the cookie that says the record is of the second version.
const STRUCTURE_V2: [u8; 4] = [0xFF, 0x00, 0x00, 0x01];

/// The segments of every level, from the structure record (`fts5StructureDecode`).
fn segments(record: &[u8]) -> Result<Vec<Segment>, SegmentError> {
    let bad = |why: &str| damaged(format!("its structure record {why}"));
    let mut r = Reader::new(record);
    r.skip(4).ok_or_else(|| bad("is cut short"))?;
    let v2 = record.get(4..8) == Some(&STRUCTURE_V2[..]);
    if v2 {
        r.skip(4).ok_or_else(|| bad("is cut short"))?;
    }
    let mut next = || r.varint().ok_or_else(|| bad("is cut short"));
    let levels = next()?;
    let total = next()?;
    let _write_counter = next()?;
    let mut found = Vec::new();
    for _ in 0..levels {
        let _merging = next()?;
        let count = next()?;
        for _ in 0..count {
            let (id, first, last) = (next()?, next()?, next()?);
            if v2 {
                let (_origin1, _origin2) = (next()?, next()?);
                let tombstone_pages = next()?;
                let (_tombstones, _entries) = (next()?, next()?);
                if tombstone_pages != 0 {
                    return Err(bad(&format!(
                        "gives segment {id} tombstones, which hide documents"
                    )));
                }
            }
            if id == 0 || id > LARGEST_SEGMENT || last < first || last > LARGEST_PAGE {
                return Err(bad(&format!(
                    "lists segment {id} with pages {first} to {last}"
                )));
            }
            found.push(Segment { id, first, last });
            if found.len() as u64 > total {
                return Err(bad("lists more segments than it counts"));
            }
        }
    }
    if found.len() as u64 != total {
        return Err(bad("lists fewer segments than it counts"));
    }
    Ok(found)
}

/// Every term of the main index starts with this byte (prefix indexes, which this store does
/// not make, with others).
const MAIN_INDEX: u8 = b'0';

/// Where a segment's walk is: the term its latest doclist belongs to, which a doclist that
/// runs on to the next page continues.
#[derive(Default)]
struct Walk {
    /// As stored: the index's byte, then the term.
    term: Vec<u8>,
    started: bool,
}

impl Walk {
    /// One leaf page: a 4-byte header (the second field is where the footer starts), rowids
    /// that continue the previous page's doclist, terms each followed by a doclist, and a
    /// footer of the terms' offsets, each relative to the one before.
    fn leaf(&mut self, page: &[u8], each: &mut dyn FnMut(&[u8], i64)) -> Result<(), String> {
        let footer = match page {
            [_, _, hi, lo, ..] => u16::from_be_bytes([*hi, *lo]) as usize,
            _ => return Err("is shorter than its header".into()),
        };
        if footer < 4 || footer > page.len() {
            return Err(format!(
                "puts its footer at byte {footer} of {}",
                page.len()
            ));
        }
        let mut term_starts = Vec::new();
        let mut footer_reader = Reader::new(&page[footer..]);
        let mut at = 0u64;
        while !footer_reader.done() {
            let step = footer_reader.varint().ok_or("ends inside its footer")?;
            at = at.saturating_add(step);
            let previous = term_starts.last().copied().unwrap_or(3);
            if at as usize <= previous || at >= footer as u64 {
                return Err(format!("has a term at byte {at}, outside its terms"));
            }
            term_starts.push(at as usize);
        }
        let first_term = term_starts.first().copied().unwrap_or(footer);
        if first_term > 4 {
            if !self.started {
                return Err("holds seqs before any term".into());
            }
            self.doclist(&page[4..first_term], each)?;
        }
        for (i, &start) in term_starts.iter().enumerate() {
            let end = term_starts.get(i + 1).copied().unwrap_or(footer);
            let mut r = Reader::new(&page[start..end]);
            // The first term of a page is written whole; the others keep part of the last.
            let keep = if i == 0 {
                0
            } else {
                r.varint().ok_or("ends inside a term")?
            };
            let new = r.varint().ok_or("ends inside a term")?;
            let added = r.take(new).ok_or("ends inside a term")?;
            if keep > self.term.len() as u64 || new == 0 {
                return Err(format!("has a term keeping {keep} bytes and adding {new}"));
            }
            self.term.truncate(keep as usize);
            self.term.extend_from_slice(added);
            if self.term.first() != Some(&MAIN_INDEX) {
                return Err("has a term of an index this store does not make".into());
            }
            self.started = true;
            self.doclist(r.rest(), each)?;
        }
        Ok(())
    }

    /// Part of a doclist: its first rowid in full, each next one as the difference from the one
    /// before. In a `detail = none` index a rowid followed by a 0 byte is a delete marker.
    fn doclist(&self, mut bytes: &[u8], each: &mut dyn FnMut(&[u8], i64)) -> Result<(), String> {
        let mut rowid: Option<i64> = None;
        while let Some(&byte) = bytes.first() {
            if byte == 0 {
                return Err(match rowid {
                    Some(seq) => format!(
                        "holds a delete marker for seq {seq} under the term {:?}",
                        String::from_utf8_lossy(&self.term[1..])
                    ),
                    None => "holds a doclist that starts with a 0 byte".into(),
                });
            }
            let mut r = Reader::new(bytes);
            let value = r.varint().ok_or("ends inside a doclist")?;
            bytes = r.rest();
            let next = match rowid {
                None => value as i64,
                Some(previous) => previous.wrapping_add(value as i64),
            };
            rowid = Some(next);
            each(&self.term[1..], next);
        }
        Ok(())
    }
}

/// Reads SQLite's varints (big-endian, 7 bits a byte, the ninth byte whole) from a slice.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn done(&self) -> bool {
        self.bytes.is_empty()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n as u64).map(|_| ())
    }

    fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok().filter(|&n| n <= self.bytes.len())?;
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(taken)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for (i, &byte) in self.bytes.iter().enumerate().take(9) {
            if i == 8 {
                self.bytes = &self.bytes[9..];
                return Some(value << 8 | byte as u64);
            }
            value = value << 7 | (byte & 0x7f) as u64;
            if byte & 0x80 == 0 {
                self.bytes = &self.bytes[i + 1..];
                return Some(value);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every (term, rowid) pair through `fts5vocab`, sorted.
    fn through_vocab(conn: &Connection) -> Vec<(Vec<u8>, i64)> {
        conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, entries_fts, instance)",
        )
        .unwrap();
        let mut pairs: Vec<(Vec<u8>, i64)> = conn
            .prepare("SELECT term, doc FROM temp.v")
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, String>(0)?.into_bytes(), r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        pairs.sort();
        pairs
    }

    fn through_pages(conn: &Connection) -> Result<Vec<(Vec<u8>, i64)>, SegmentError> {
        let mut pairs = Vec::new();
        for_each_posting(conn, "entries_fts", &mut |t, r| pairs.push((t.to_vec(), r)))?;
        pairs.sort();
        Ok(pairs)
    }

    fn index(page_size: u32, automerge: u32) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::schema::CREATE_FTS)
            .unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('pgsz', {page_size});
             INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', {automerge});"
        ))
        .unwrap();
        conn
    }

    fn add(conn: &Connection, rowid: i64, doc: &str) {
        conn.execute(
            "INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)",
            rusqlite::params![rowid, doc],
        )
        .unwrap();
    }

    #[test]
    fn an_empty_index_holds_nothing() {
        let conn = index(4050, 4);
        assert_eq!(through_pages(&conn).unwrap(), vec![]);
    }

    #[test]
    fn a_doclist_over_many_pages_is_read_whole() {
        // One term in every document, on 64-byte pages: its doclist runs over termless pages.
        let conn = index(64, 0);
        conn.execute_batch("BEGIN").unwrap();
        for rowid in 1..=3000 {
            add(
                &conn,
                rowid * 7,
                &format!("common t{} alongside-{}", rowid % 13, rowid),
            );
        }
        conn.execute_batch("COMMIT").unwrap();
        let pairs = through_pages(&conn).unwrap();
        assert_eq!(pairs.len(), 9000);
        assert_eq!(pairs, through_vocab(&conn));
    }

    #[test]
    fn segments_merged_part_way_are_read_once() {
        // Many small segments, then a merge stopped after a few pages: its inputs are trimmed
        // to start at a later page, and what they gave up is in the merge's output.
        let conn = index(64, 0);
        conn.execute_batch(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('crisismerge', 100)",
        )
        .unwrap();
        for rowid in 1..=40 {
            let doc: Vec<String> = (0..30).map(|i| format!("term{i}-{}", rowid % 3)).collect();
            add(&conn, rowid, &doc.join(" "));
        }
        conn.execute_batch("INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', 10)")
            .unwrap();
        let structure: Vec<u8> = conn
            .query_row(
                "SELECT block FROM entries_fts_data WHERE id = 10",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let segments = segments(&structure).unwrap();
        assert!(segments.iter().any(|s| s.first > 1), "{segments:?}");
        let pairs = through_pages(&conn).unwrap();
        assert_eq!(pairs.len(), 1200);
        assert_eq!(pairs, through_vocab(&conn));
    }

    #[test]
    fn delete_markers_and_tombstones_are_damage() {
        let conn = index(4050, 0);
        add(&conn, 1, "alice bob");
        add(&conn, 2, "alice carol");
        conn.execute(
            "INSERT INTO entries_fts (entries_fts, rowid, doc) VALUES ('delete', 2, 'alice carol')",
            [],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(
            err.contains("delete marker for seq 2 under the term \"alice\""),
            "{err}"
        );

        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE entries_fts USING fts5 (doc, content = '', \
             contentless_delete = 1, detail = none)",
        )
        .unwrap();
        add(&conn, 1, "alice bob");
        add(&conn, 2, "alice carol");
        conn.execute("DELETE FROM entries_fts WHERE rowid = 1", [])
            .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(err.contains("tombstones"), "{err}");
    }

    #[test]
    fn damaged_pages_are_named_not_misread() {
        let conn = index(64, 0);
        for rowid in 1..=200 {
            add(&conn, rowid, &format!("term{} shared", rowid % 7));
        }
        conn.execute_batch("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
            .unwrap();
        let segment: i64 = conn
            .query_row(
                "SELECT min(id) >> 37 FROM entries_fts_data WHERE id > 10",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let victim = (segment << 37) + 2;
        conn.execute("DELETE FROM entries_fts_data WHERE id = ?1", [victim])
            .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(
            err.contains(&format!("segment {segment} lacks page 2")),
            "{err}"
        );
        conn.execute(
            "INSERT INTO entries_fts_data (id, block) VALUES (?1, x'0000ffff')",
            [victim],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(err.contains("page 2 of segment"), "{err}");
        conn.execute(
            "UPDATE entries_fts_data SET block = x'01' WHERE id = 10",
            [],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(err.contains("structure record is cut short"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever segments FTS5 made (one write at a time or in batches, small pages, merged
        /// as it goes, merged part way, optimized), the pages hold what `fts5vocab` reads.
        #[test]
        fn the_pages_hold_what_fts5vocab_reads(
            docs in prop::collection::vec(
                prop::collection::vec("[a-c]{1,3}|long-[a-z]{20,60}|[0-9]{1,4}", 1..12), 1..150),
            page_size in prop::sample::select(vec![64u32, 200, 1000, 4050]),
            automerge in prop::sample::select(vec![0u32, 2, 4, 16]),
            batch in 1usize..40,
            gaps in prop::collection::vec(1i64..100_000, 1..150),
            finish in 0u8..3,
        ) {
            let conn = index(page_size, automerge);
            let mut rowid = 0i64;
            for (i, chunk) in docs.chunks(batch).enumerate() {
                conn.execute_batch("BEGIN").unwrap();
                for (j, doc) in chunk.iter().enumerate() {
                    rowid += gaps[(i * batch + j) % gaps.len()];
                    add(&conn, rowid, &doc.join(" "));
                }
                conn.execute_batch("COMMIT").unwrap();
            }
            match finish {
                0 => {}
                1 => conn.execute_batch(
                    "INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', 10)").unwrap(),
                _ => conn.execute_batch(
                    "INSERT INTO entries_fts (entries_fts) VALUES ('optimize')").unwrap(),
            }
            prop_assert_eq!(through_pages(&conn).unwrap(), through_vocab(&conn));
        }

        /// Random bytes for the pages and the structure record are refused or read, never a
        /// panic.
        #[test]
        fn any_bytes_are_refused_or_read(
            structure in prop::collection::vec(any::<u8>(), 0..40),
            page in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            let conn = index(4050, 0);
            add(&conn, 1, "alice");
            conn.execute("UPDATE entries_fts_data SET block = ?1 WHERE id = 10", [&structure])
                .unwrap();
            let _ = through_pages(&conn);
            let conn = index(4050, 0);
            add(&conn, 1, "alice");
            conn.execute(
                "UPDATE entries_fts_data SET block = ?1 WHERE id = (1 << 37) + 1",
                [&page],
            )
            .unwrap();
            let _ = through_pages(&conn);
        }
    }
}
