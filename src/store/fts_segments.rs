//! Reads the search index's (term, seq) pairs straight from FTS5's segment pages, for
//! `verify`. Through `fts5vocab` each of a million events' 56 terms is a row of SQLite's virtual
//! machine, 4 s of the check; decoding the pages where they lie is a tenth of that.
//!
//! The format is FTS5's for a `detail = none` index (the comments of SQLite's `fts5_index.c`):
//! a structure record listing segments, each a run of leaf pages holding prefix-compressed
//! terms, each followed by its doclist of rowids. Only what this store writes is accepted: a
//! delete marker or a tombstone page would hide a document from searches while its pages still
//! hold it, so either is damage, not something to interpret.
//!
//! Searches do not read the pages in order as this does: a term is looked up through the
//! `%_idx` split keys, and a search for several words seeks by rowid through the doclist
//! indexes and each page's pointer to the rowids it continues. All three are held to the pages
//! here, as are the order of terms and of rowids that lookups and seeks rely on.

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
/// kind) holds: segment by segment, in term order and then seq order within a segment. Also
/// checks what searches find those pairs by and a plain read does not use: each page's pointer
/// to the seqs it continues (seeks by seq start there), the split keys of `%_idx` (a search for
/// a term looks only on the page they give), and the options that change what FTS5 reads.
pub fn for_each_posting(
    conn: &Connection,
    table: &str,
    each: &mut dyn FnMut(&[u8], i64),
) -> Result<(), SegmentError> {
    let name = |suffix: &str| format!("\"{}_{suffix}\"", table.replace('"', "\"\""));
    check_options(conn, &name("config"))?;
    let data = name("data");
    let mut records = conn.prepare(&format!("SELECT block FROM {data} WHERE id = ?1"))?;
    let structure = {
        let mut found = records.query([STRUCTURE_ID])?;
        // FTS5 writes the structure record with the first document; before that there is none.
        let Some(row) = found.next()? else {
            return Ok(());
        };
        blob(row.get_ref(0)?)
            .ok_or_else(|| damaged("its structure record is not a blob"))?
            .to_vec()
    };
    let mut pages = conn.prepare(&format!(
        "SELECT id, block FROM {data} WHERE id BETWEEN ?1 AND ?2"
    ))?;
    let mut all_records =
        conn.prepare(&format!("SELECT id FROM {data} WHERE id BETWEEN ?1 AND ?2"))?;
    let mut split_keys = conn.prepare(&format!(
        "SELECT term, pgno FROM {} WHERE segid = ?1 ORDER BY term",
        name("idx")
    ))?;
    for segment in segments(&structure)? {
        if segment.first == 0 {
            // Wholly merged into another segment, and not yet dropped from the structure:
            // `segments` saw that it has no pages either, so look-ups find nothing in it.
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
            let at =
                |why: String| damaged(format!("page {page_no} of segment {} {why}", segment.id));
            let page = blob(row.get_ref(1)?).ok_or_else(|| at("is not a blob".into()))?;
            walk.leaf(page_no, page, each).map_err(at)?;
            expected += 1;
        }
        if expected <= segment.last {
            return Err(damaged(format!(
                "segment {} lacks page {expected}",
                segment.id
            )));
        }
        let keys = split_keys
            .query_map([segment.id as i64], |r| {
                Ok((
                    blob(r.get_ref(0)?).map(<[u8]>::to_vec),
                    r.get_ref(1)?.as_i64().ok(),
                ))
            })?
            .map(|key| match key? {
                (Some(term), Some(page)) if page >= 0 => Ok(SplitKey {
                    term,
                    page: page as u64 >> 1,
                    doclist_index: page & 1 == 1,
                }),
                _ => Err(damaged(format!(
                    "the split keys of segment {} hold a row that is not a key and a page",
                    segment.id
                ))),
            })
            .collect::<Result<Vec<_>, SegmentError>>()?;
        check_split_keys(&segment, &keys, &walk.term_pages)?;
        check_doclist_indexes(
            &mut records,
            &mut all_records,
            &segment,
            &keys,
            &walk.term_pages,
        )?;
    }
    Ok(())
}

/// Each doclist index a split key says a page has must list exactly the pages its doclist runs
/// on to, each with its first seq (`TermPage::continued`); and every record from the segment's
/// first page on must be one of theirs.
fn check_doclist_indexes(
    records: &mut rusqlite::Statement<'_>,
    all_records: &mut rusqlite::Statement<'_>,
    segment: &Segment,
    keys: &[SplitKey],
    term_pages: &[TermPage],
) -> Result<(), SegmentError> {
    let mut visited = 0;
    for key in keys
        .iter()
        .filter(|k| k.doclist_index && k.page >= segment.first)
    {
        // Term pages are in page order.
        let expected = term_pages
            .binary_search_by_key(&key.page, |p| p.page)
            .map_or(&[][..], |i| &term_pages[i].continued[..]);
        let at = |why: String| {
            damaged(format!(
                "the doclist index of page {} of segment {} {why}",
                key.page, segment.id
            ))
        };
        let read = doclist_index(
            records,
            segment.id,
            key.page,
            expected.len() + 1,
            &mut visited,
        )
        .map_err(at)?;
        if read != expected {
            return Err(at(
                "does not list the pages its doclist runs over with their first seqs".into(),
            ));
        }
    }
    // A record no page's key leads to is none FTS5 reads, but none it writes either
    // (those of pages a merge trimmed off stay, before the segment's first page).
    let stored = doclist_records(all_records, segment)?;
    if stored > visited {
        return Err(damaged(format!(
            "segment {} holds {} doclist index records no split key leads to",
            segment.id,
            stored - visited
        )));
    }
    Ok(())
}

/// How many doclist index records of `segment`, at any height, belong to its pages from the
/// first on.
fn doclist_records(
    all_records: &mut rusqlite::Statement<'_>,
    segment: &Segment,
) -> Result<usize, SegmentError> {
    let base = (segment.id as i64) << SEGMENT_ID_SHIFT;
    let mut rows = all_records.query([base + (1 << 36), base + (1 << 37) - 1])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let page = (row.get::<_, i64>(0)? & ((1 << 31) - 1)) as u64;
        if page >= segment.first {
            count += 1;
        }
    }
    Ok(count)
}

/// A row of `%_idx`: searches for terms from `term` on start at `page`; `doclist_index` says
/// the doclist of the page's last term, running over the pages after it, has an index that
/// seeks by seq go through.
struct SplitKey {
    term: Vec<u8>,
    page: u64,
    doclist_index: bool,
}

/// The (page, first seq) pairs a doclist index gives a seek, in the order FTS5's iterator
/// (`fts5DlidxIterNext`) reads them: a b-tree whose records are found by segment, height and
/// page, each starting with a flag (1: not the root), a page number and a seq, then for each
/// next page its seq's difference from the last, or a 0 byte for a page without one.
/// At most `at_most` pairs are read: more than the pages it should list is damage already.
/// `visited` counts the records read.
fn doclist_index(
    records: &mut rusqlite::Statement<'_>,
    segment: u64,
    term_page: u64,
    at_most: usize,
    visited: &mut usize,
) -> Result<Vec<(u64, i64)>, String> {
    const DOCLIST_INDEX: i64 = 1 << 36;
    const MAX_HEIGHT: usize = 32;
    let id = |height: usize, page: u64| {
        ((segment as i64) << SEGMENT_ID_SHIFT)
            + DOCLIST_INDEX
            + ((height as i64) << 31)
            + page as i64
    };
    let mut read = |height: usize, page: u64| -> Result<Vec<u8>, String> {
        // A page number read from a record may be anything; past the largest it names none.
        if page > LARGEST_PAGE {
            return Err(format!(
                "names record {page} at height {height}, past the largest"
            ));
        }
        *visited += 1;
        let mut rows = records
            .query([id(height, page)])
            .map_err(|e| e.to_string())?;
        match rows.next().map_err(|e| e.to_string())? {
            Some(row) => match row.get_ref(0).map_err(|e| e.to_string())? {
                rusqlite::types::ValueRef::Blob(b) if !b.is_empty() => Ok(b.to_vec()),
                _ => Err(format!(
                    "has a record at height {height} that is not a blob"
                )),
            },
            None => Err(format!("lacks its record at height {height}, page {page}")),
        }
    };
    // The levels, leaf first: each at the term's page until the root.
    let mut levels: Vec<Level> = Vec::new();
    loop {
        if levels.len() == MAX_HEIGHT {
            return Err("is deeper than FTS5 makes one".into());
        }
        let data = read(levels.len(), term_page)?;
        let root = data[0] & 1 == 0;
        levels.push(Level::new(data, !levels.is_empty()));
        if root {
            break;
        }
    }
    for level in &mut levels {
        level.next()?;
    }
    // Reading forward, FTS5 takes each level's first record by the term's page; stepping back
    // it follows the levels above. Both ways must agree, as FTS5 writes them: each level's
    // first entry is the record below's, with its first seq.
    for h in 1..levels.len() {
        if levels[h].page != term_page || levels[h].seq != levels[h - 1].seq {
            return Err(format!(
                "has a record at height {h} that does not lead to the first below it"
            ));
        }
    }
    let mut found = Vec::new();
    while !levels[0].done && found.len() < at_most {
        found.push((levels[0].page, levels[0].seq));
        // As fts5DlidxIterNextR: a level at its end takes the next record of the level above.
        let mut height = 0;
        while levels[height].next()? && height + 1 < levels.len() {
            height += 1;
        }
        while height > 0 && !levels[height].done {
            let page = levels[height].page;
            let data = read(height - 1, page)?;
            levels[height - 1] = Level::new(data, height > 1);
            levels[height - 1].next()?;
            if levels[height - 1].seq != levels[height].seq {
                return Err(format!(
                    "has a record at height {height} whose seq for page {page} is not that \
                     record's first"
                ));
            }
            height -= 1;
        }
    }
    Ok(found)
}

/// One level of a doclist index being read: its record, where in it, and the entry there.
struct Level {
    /// Above the leaves, entries name consecutive records: none is skipped.
    above_leaves: bool,
    data: Vec<u8>,
    at: usize,
    page: u64,
    seq: i64,
    done: bool,
}

impl Level {
    fn new(data: Vec<u8>, above_leaves: bool) -> Level {
        Level {
            above_leaves,
            data,
            at: 0,
            page: 0,
            seq: 0,
            done: false,
        }
    }

    /// Moves to the next entry (`fts5DlidxLvlNext`); true at the record's end.
    fn next(&mut self) -> Result<bool, String> {
        let bad = || "ends inside an entry".to_string();
        if self.at == 0 {
            let mut r = Reader::new(&self.data[1..]);
            self.page = r.varint().ok_or_else(bad)?;
            self.seq = r.varint().ok_or_else(bad)? as i64;
            self.at = self.data.len() - r.rest().len();
            return Ok(false);
        }
        let zeros = self.data[self.at..].iter().take_while(|&&b| b == 0).count();
        if zeros > 0 && self.above_leaves {
            return Err("skips records above its leaves".into());
        }
        if self.at + zeros >= self.data.len() {
            self.done = true;
            return Ok(true);
        }
        let mut r = Reader::new(&self.data[self.at + zeros..]);
        let delta = r.varint().ok_or_else(bad)?;
        self.page = self.page.saturating_add(zeros as u64 + 1);
        self.seq = self.seq.wrapping_add(delta as i64);
        self.at = self.data.len() - r.rest().len();
        Ok(false)
    }
}

/// A value's bytes if it is a blob (FTS5 writes its pages and keys as blobs).
fn blob(value: rusqlite::types::ValueRef<'_>) -> Option<&[u8]> {
    match value {
        rusqlite::types::ValueRef::Blob(b) => Some(b),
        _ => None,
    }
}

/// FTS5's options that change how it reads its pages: a format version other than the one it
/// writes without `secure-delete` (5 relaxes what its own check asks of the doclist indexes),
/// and `secure-delete` itself. auditctl sets neither.
fn check_options(conn: &Connection, config: &str) -> Result<(), SegmentError> {
    let mut stmt = conn.prepare(&format!("SELECT k, v FROM {config}"))?;
    let mut rows = stmt.query([])?;
    let mut versions = 0;
    while let Some(row) = rows.next()? {
        let key = row.get_ref(0)?;
        let value = row.get_ref(1)?.as_i64().ok();
        // FTS5 names its options in any case.
        let name = key.as_str().ok().map(str::to_ascii_lowercase);
        let wrong = match name.as_deref() {
            Some("version") => {
                versions += 1;
                value != Some(4)
            }
            Some("secure-delete") => value != Some(0),
            _ => false,
        };
        if wrong {
            let set_to = match row.get_ref(1)? {
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                rusqlite::types::ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
                rusqlite::types::ValueRef::Blob(_) => "a blob".into(),
                rusqlite::types::ValueRef::Null => "NULL".into(),
            };
            return Err(damaged(format!(
                "its options set {} to {set_to}, which auditctl never does",
                String::from_utf8_lossy(key.as_bytes().unwrap_or_default()),
            )));
        }
    }
    // Without it FTS5 takes the format to be 0, and refuses every search.
    if versions != 1 {
        return Err(damaged(format!(
            "its options name its format version {versions} times, not once"
        )));
    }
    Ok(())
}

/// A search for a term goes to the page of the last split key at or before it, and looks only
/// there. FTS5's own check asks that each key be at or before its page's first term; a key
/// moved before the terms of the page ahead of it would send searches for those to the wrong
/// page. Here every term of each page must be sent to that page: its first and last terms by
/// the same key, naming it. (Keys of pages a merge trimmed off send searches to the first page
/// left, as FTS5 does.)
fn check_split_keys(
    segment: &Segment,
    keys: &[SplitKey],
    term_pages: &[TermPage],
) -> Result<(), SegmentError> {
    if keys.windows(2).any(|w| w[0].term >= w[1].term) {
        return Err(damaged(format!(
            "the split keys of segment {} are out of order",
            segment.id
        )));
    }
    let key_of = |term: &[u8]| {
        keys.partition_point(|key| key.term.as_slice() <= term)
            .checked_sub(1)
    };
    for page in term_pages {
        let (first, last) = (key_of(&page.first), key_of(&page.last));
        let sent_to = first.map(|k| keys[k].page.max(segment.first));
        if first != last || sent_to != Some(page.page) {
            return Err(damaged(format!(
                "the split keys of segment {} do not lead searches to the terms of page {} \
                 (from {:?} to {:?})",
                segment.id,
                page.page,
                String::from_utf8_lossy(&page.first[1..]),
                String::from_utf8_lossy(&page.last[1..]),
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

/// The most levels, and the most segments, FTS5 reads in a structure record
/// (`FTS5_MAX_SEGMENT`).
const MOST_SEGMENTS: u64 = 2000;

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
    // What FTS5 refuses to read (`fts5StructureDecode`): every search would fail.
    if levels > MOST_SEGMENTS || total > MOST_SEGMENTS {
        return Err(bad(&format!("counts {levels} levels and {total} segments")));
    }
    let _write_counter = next()?;
    let mut found = Vec::new();
    let mut merging_above = 0;
    for level in 0..levels {
        let merging = next()?;
        let count = next()?;
        if count < merging
            || (merging_above > 0 && count == 0)
            || (level + 1 == levels && merging > 0)
        {
            return Err(bad(&format!(
                "has level {level} merging {merging} of {count} segments into the next"
            )));
        }
        merging_above = merging;
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
            // A segment wholly merged away has no pages (0 to 0); one listed from page 0 with
            // pages after it would be skipped by reads in order but not by look-ups.
            if id == 0
                || id > LARGEST_SEGMENT
                || last < first
                || last > LARGEST_PAGE
                || (first == 0 && last != 0)
            {
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
/// runs on to the next page continues, and the pages seen so far that hold terms.
#[derive(Default)]
struct Walk {
    /// As stored: the index's byte, then the term.
    term: Vec<u8>,
    previous: Vec<u8>,
    started: bool,
    /// The last seq of the term's doclist so far: each next one must be larger.
    last_seq: Option<i64>,
    term_pages: Vec<TermPage>,
}

/// A page holding terms, its first and last terms as stored, and the pages after it that its
/// last term's doclist runs on to, each with its first seq (what a doclist index must list).
struct TermPage {
    page: u64,
    first: Vec<u8>,
    last: Vec<u8>,
    continued: Vec<(u64, i64)>,
}

impl Walk {
    /// One leaf page: a 4-byte header (where the seqs that continue the previous page's
    /// doclist start, always byte 4, or 0 if the page starts with a term; and where the footer
    /// starts), those seqs, terms each followed by a doclist, and a footer of the terms'
    /// offsets, each relative to the one before.
    fn leaf(
        &mut self,
        page_no: u64,
        page: &[u8],
        each: &mut dyn FnMut(&[u8], i64),
    ) -> Result<(), String> {
        let (first_seq_at, footer) = match page {
            [a, b, c, d, ..] => (
                u16::from_be_bytes([*a, *b]) as usize,
                u16::from_be_bytes([*c, *d]) as usize,
            ),
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
        // A seek by seq to this page starts where the header says: it must be where the
        // continued seqs are.
        let continued = if first_term > 4 { 4 } else { 0 };
        if first_seq_at != continued {
            return Err(format!(
                "says the seqs it continues start at byte {first_seq_at}, not {continued}"
            ));
        }
        if continued != 0 {
            if !self.started {
                return Err("holds seqs before any term".into());
            }
            let first_seq = self.doclist(&page[4..first_term], each)?;
            if let (Some(seq), Some(term_page)) = (first_seq, self.term_pages.last_mut()) {
                term_page.continued.push((page_no, seq));
            }
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
            self.previous.clone_from(&self.term);
            self.term.truncate(keep as usize);
            self.term.extend_from_slice(added);
            // FTS5 keeps all the bytes a term shares with the one before, and a look-up stops at
            // a term that keeps fewer than it has matched: that term is never found.
            if i > 0 && self.previous.get(keep as usize) == added.first() {
                return Err(format!(
                    "has the term {:?} keeping fewer bytes of the one before than it shares",
                    String::from_utf8_lossy(self.term.get(1..).unwrap_or_default())
                ));
            }
            if self.term.first() != Some(&MAIN_INDEX) {
                return Err("has a term of an index this store does not make".into());
            }
            // Searches look a term up by order: one out of it is not found.
            if self.started && self.term <= self.previous {
                return Err(format!(
                    "has the term {:?} out of order",
                    String::from_utf8_lossy(&self.term[1..])
                ));
            }
            self.started = true;
            self.last_seq = None;
            let doclist = r.rest();
            if i == 0 {
                self.term_pages.push(TermPage {
                    page: page_no,
                    first: self.term.clone(),
                    last: Vec::new(),
                    continued: Vec::new(),
                });
            }
            self.doclist(doclist, each)?;
        }
        if let Some(page) = self.term_pages.last_mut().filter(|p| p.page == page_no) {
            page.last.clone_from(&self.term);
        }
        Ok(())
    }

    /// Part of a doclist: its first seq in full, each next one as the difference from the one
    /// before. In a `detail = none` index a seq followed by a 0 byte is a delete marker. Gives
    /// the part's first seq.
    fn doclist(
        &mut self,
        mut bytes: &[u8],
        each: &mut dyn FnMut(&[u8], i64),
    ) -> Result<Option<i64>, String> {
        let mut rowid: Option<i64> = None;
        let mut first = None;
        while let Some(&byte) = bytes.first() {
            // (A 0 byte first is seq 0, which the sums leave to `beyond_log`.)
            if let (0, Some(seq)) = (byte, rowid) {
                return Err(format!(
                    "holds a delete marker for seq {seq} under the term {:?}",
                    String::from_utf8_lossy(&self.term[1..])
                ));
            }
            let mut r = Reader::new(bytes);
            let value = r.varint().ok_or("ends inside a doclist")?;
            bytes = r.rest();
            let next = match rowid {
                None => value as i64,
                Some(previous) => previous.wrapping_add(value as i64),
            };
            // Seeks by seq assume the order; a doclist out of it hides what follows.
            if self.last_seq.is_some_and(|last| next <= last) {
                return Err(format!(
                    "has seq {next} out of order under the term {:?}",
                    String::from_utf8_lossy(&self.term[1..])
                ));
            }
            self.last_seq = Some(next);
            rowid = Some(next);
            first.get_or_insert(next);
            each(&self.term[1..], next);
        }
        Ok(first)
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
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v \
             USING fts5vocab(main, entries_fts, instance)",
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

    /// Writes `block` as the `%_data` record `id`, and gives what reading the index then says.
    fn refused_with_record(conn: &Connection, id: i64, block: &[u8]) -> String {
        conn.execute(
            "UPDATE entries_fts_data SET block = ?1 WHERE id = ?2",
            rusqlite::params![block, id],
        )
        .unwrap();
        through_pages(conn).unwrap_err().to_string()
    }

    /// An index on 64-byte pages, one segment, with doclists over several pages.
    fn optimized() -> Connection {
        let conn = index(64, 0);
        for rowid in 1..=400 {
            add(
                &conn,
                rowid,
                &format!(
                    "common t{} x{} alongside-{}",
                    rowid % 13,
                    rowid % 3,
                    rowid % 50
                ),
            );
        }
        conn.execute_batch("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
            .unwrap();
        through_pages(&conn).unwrap();
        conn
    }

    fn segment_of(conn: &Connection) -> i64 {
        conn.query_row("SELECT min(segid) FROM entries_fts_idx", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn split_keys_that_send_searches_astray_are_damage() {
        // Each key moved down to just past the key before it, order kept: FTS5's own check
        // (each key at or before its page's first term) still holds, and searches for the
        // later terms of each page go to the next page, where they are not.
        let conn = optimized();
        let keys: Vec<(Vec<u8>, i64)> = conn
            .prepare("SELECT term, pgno FROM entries_fts_idx ORDER BY term")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(keys.len() > 3);
        for pair in keys.windows(2).rev() {
            let mut lower = pair[0].0.clone();
            lower.push(0);
            conn.execute(
                "UPDATE entries_fts_idx SET term = ?1 WHERE term = ?2",
                rusqlite::params![lower, pair[1].0],
            )
            .unwrap();
        }
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(
            err.contains("split keys of segment") && err.contains("do not lead searches"),
            "{err}"
        );

        let conn = optimized();
        conn.execute(
            "UPDATE entries_fts_idx SET pgno = 'x' \
             WHERE term = (SELECT max(term) FROM entries_fts_idx)",
            [],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(err.contains("not a key and a page"), "{err}");
    }

    #[test]
    fn a_page_header_that_sends_seeks_astray_is_damage() {
        // A page that continues a doclist says where its seqs start: a seek by seq (a search
        // for two words) reads from there, so pointing it at the second seq's difference makes
        // the seek see another seq.
        let conn = optimized();
        let segment = segment_of(&conn);
        let pages: Vec<(i64, Vec<u8>)> = conn
            .prepare("SELECT id, block FROM entries_fts_data WHERE id > ?1 AND id < ?2")
            .unwrap()
            .query_map([segment << 37, (segment << 37) + (1 << 31)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let (id, mut page) = pages
            .into_iter()
            .find(|(_, p)| p[0..2] == [0, 4])
            .expect("a page that continues a doclist");
        page[1] = 6;
        let err = refused_with_record(&conn, id, &page);
        assert!(
            err.contains("says the seqs it continues start at byte 6, not 4"),
            "{err}"
        );
    }

    #[test]
    fn a_doclist_index_that_sends_seeks_astray_is_damage() {
        // One entry more at the end of a doclist index: a seek by seq past the doclist's last
        // page lands on the next page and reads another term's seqs as this one's.
        let conn = optimized();
        let segment = segment_of(&conn);
        let page: i64 = conn
            .query_row(
                "SELECT pgno >> 1 FROM entries_fts_idx WHERE pgno & 1 = 1 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("a doclist long enough for an index");
        let id = (segment << 37) + (1 << 36) + page;
        let mut record: Vec<u8> = conn
            .query_row(
                "SELECT block FROM entries_fts_data WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(record[0] & 1, 0, "a doclist index of one record");
        record.push(1);
        let err = refused_with_record(&conn, id, &record);
        assert!(
            err.contains(&format!(
                "the doclist index of page {page} of segment {segment} does not list"
            )),
            "{err}"
        );
        // Its record gone.
        conn.execute("DELETE FROM entries_fts_data WHERE id = ?1", [id])
            .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(err.contains("lacks its record at height 0"), "{err}");
    }

    #[test]
    fn doclist_index_records_off_the_path_are_damage() {
        // A record no split key leads to: FTS5 reads none, and writes none.
        let conn = optimized();
        let page: i64 = conn
            .query_row(
                "SELECT pgno >> 1 FROM entries_fts_idx WHERE pgno & 1 = 1 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "UPDATE entries_fts_idx SET pgno = pgno - 1 WHERE pgno = ?1",
            [page * 2 + 1],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(
            err.contains("doclist index records no split key leads to"),
            "{err}"
        );

        // A level above the leaves whose first entry names another record than the term's
        // own: reading forward takes the term's own, stepping back follows the level above.
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
        through_pages(&conn).unwrap();
        let (id, mut record): (i64, Vec<u8>) = conn
            .query_row(
                "SELECT id, block FROM entries_fts_data WHERE (id >> 36) & 1 = 1 \
                 AND (id >> 31) & 31 = 1 LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("a doclist index of two levels");
        // Flag, then the first record's page as a varint: make it one less.
        let mut r = Reader::new(&record[1..]);
        let first = r.varint().unwrap();
        let size = record.len() - 1 - r.rest().len();
        let mut lower = Vec::new();
        let mut v = first - 1;
        loop {
            lower.insert(
                0,
                (v & 0x7f) as u8 | if lower.is_empty() { 0 } else { 0x80 },
            );
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        record.splice(1..1 + size, lower);
        let err = refused_with_record(&conn, id, &record);
        assert!(err.contains("does not lead to the first below it"), "{err}");
    }

    /// The id and bytes of the index's last record: the last page of the newest segment.
    fn last_page(conn: &Connection) -> (i64, Vec<u8>) {
        conn.query_row(
            "SELECT id, block FROM entries_fts_data ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    #[test]
    fn terms_and_seqs_out_of_order_are_damage() {
        let conn = index(4050, 0);
        add(&conn, 1, "alice bob");
        add(&conn, 2, "alice carol");
        let (id, page) = last_page(&conn);
        // The last segment holds "0alice" then "0carol" (keeping 1 byte, adding 5): make the
        // second "0Aaaaa", which sorts before the first (and shares no more of it).
        let at = page.windows(5).position(|w| w == b"carol").unwrap();
        let mut swapped = page.clone();
        swapped[at..at + 5].copy_from_slice(b"Aaaaa");
        let err = refused_with_record(&conn, id, &swapped);
        assert!(err.contains("out of order"), "{err}");
    }

    #[test]
    fn a_term_keeping_less_than_it_shares_is_damage() {
        // "0alice" then "0alpha", kept as 3 bytes ("0al") and "pha": written as 2 bytes and
        // "lpha", the page reads the same in order, but a look-up of "alpha" stops at it.
        let conn = index(4050, 0);
        add(&conn, 1, "alice alpha");
        let (id, page) = last_page(&conn);
        let at = page.windows(5).position(|w| w == b"\x03\x03pha").unwrap();
        let mut shorter = page[..at].to_vec();
        shorter.extend_from_slice(b"\x02\x04lpha");
        shorter.extend_from_slice(&page[at + 5..]);
        // The page's footer (its term offsets) starts a byte later.
        let footer = u16::from_be_bytes([page[2], page[3]]) + 1;
        shorter[2..4].copy_from_slice(&footer.to_be_bytes());
        let err = refused_with_record(&conn, id, &shorter);
        assert!(
            err.contains("\"alpha\" keeping fewer bytes of the one before than it shares"),
            "{err}"
        );
    }

    #[test]
    fn structures_fts5_refuses_to_read_are_damage() {
        // Cookie, levels, segments, write counter, then each level: merging, count, and each
        // segment's id, first and last page.
        let refused = |record: &[u8]| {
            let conn = optimized();
            refused_with_record(&conn, STRUCTURE_ID, record)
        };
        let err = refused(&[0, 0, 0, 2, 1, 1, 0, 1, 1, 1, 1, 3]);
        assert!(err.contains("has level 0 merging 1 of 1"), "{err}");
        let err = refused(&[0, 0, 0, 2, 2, 1, 0, 1, 1, 1, 1, 3, 0, 0]);
        assert!(err.contains("has level 1 merging 0 of 0"), "{err}");
        let mut levels = vec![0, 0, 0, 2, 0x8f, 0x51, 0, 0];
        levels.extend([0; 2 * 2001]);
        let err = refused(&levels);
        assert!(err.contains("counts 2001 levels"), "{err}");
        // A segment from page 0 with a page after it: reads in order skip it as merged away,
        // look-ups do not.
        let err = refused(&[0, 0, 0, 2, 1, 1, 0, 0, 1, 1, 0, 1]);
        assert!(err.contains("lists segment 1 with pages 0 to 1"), "{err}");
    }

    #[test]
    fn values_that_are_not_blobs_and_unknown_options_are_damage() {
        let conn = optimized();
        let segment = segment_of(&conn);
        conn.execute(
            "UPDATE entries_fts_data SET block = NULL WHERE id = ?1",
            [(segment << 37) + 2],
        )
        .unwrap();
        let err = through_pages(&conn).unwrap_err().to_string();
        assert!(
            err.contains(&format!("page 2 of segment {segment} is not a blob")),
            "{err}"
        );

        let refused_after = |sql: &str| {
            let conn = optimized();
            conn.execute_batch(sql).unwrap();
            through_pages(&conn).unwrap_err().to_string()
        };
        let err = refused_after("UPDATE entries_fts_data SET block = 'text' WHERE id = 10");
        assert!(err.contains("structure record is not a blob"), "{err}");
        // secure-delete makes FTS5 write format 5, whose own check asks less of the doclist
        // indexes that seeks by seq use.
        let err = refused_after(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('secure-delete', 1)",
        );
        assert!(err.contains("its options set secure-delete to 1,"), "{err}");
        let err = refused_after("UPDATE entries_fts_config SET v = 5 WHERE k = 'version'");
        assert!(err.contains("its options set version to"), "{err}");
        // FTS5 names options in any case, and without a version refuses every search.
        let err =
            refused_after("UPDATE entries_fts_config SET k = 'Version', v = 3 WHERE k = 'version'");
        assert!(err.contains("its options set Version to 3,"), "{err}");
        let err = refused_after("DELETE FROM entries_fts_config WHERE k = 'version'");
        assert!(err.contains("format version 0 times"), "{err}");
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
            merges in prop::collection::vec(prop::sample::select(vec![0i64, 0, 1, 2, 5, 16]), 1..8),
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
                // Merges of a few pages between writes leave segments trimmed and merges
                // part done, as FTS5's own automatic merging does.
                let pages = merges[i % merges.len()];
                if pages > 0 {
                    conn.execute(
                        "INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?1)",
                        [pages],
                    )
                    .unwrap();
                }
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

        /// Random bytes for a doclist index record, whose page numbers and seqs are read as
        /// they come, are refused or read, never a panic or an overflow.
        #[test]
        fn any_doclist_index_is_refused_or_read(
            record in prop::collection::vec(any::<u8>(), 0..60),
        ) {
            let conn = optimized();
            conn.execute(
                "UPDATE entries_fts_data SET block = ?1 WHERE id = \
                 (SELECT min(id) FROM entries_fts_data WHERE (id >> 36) & 1 = 1)",
                [&record],
            )
            .unwrap();
            let _ = through_pages(&conn);
        }
    }
}
