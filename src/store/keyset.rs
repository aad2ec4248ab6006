//! Keyset paging: the events that come after a given one in an order, as a filter every back
//! end can run (SQL over indexes, memory over a file, the API's `filter` on a server). A
//! viewer reads the window on screen this way, never the events before it: the cost of a page
//! does not grow with how far down it is, as `OFFSET` would.

use super::{SortField, SortKey, seq_compare};
use crate::model::Event;
use crate::query::{CmpOp, Expr, Field, Literal};

/// The field of the filter language a sort field reads.
fn field_of(f: SortField) -> Field {
    match f {
        SortField::Seq => Field::Seq,
        SortField::Time => Field::Time,
        SortField::Id => Field::Id,
        SortField::User => Field::User,
        SortField::Action => Field::Action,
        SortField::Table => Field::Table,
        SortField::ResourceId => Field::ResourceId,
        SortField::Service => Field::Service,
        SortField::Origin => Field::Origin,
        SortField::Outcome => Field::Outcome,
        SortField::Ip => Field::Ip,
    }
}

/// The event's value of `f` as a literal, `None` where it has none (stores sort those first
/// ascending, last descending).
fn value_of(f: SortField, e: &Event) -> Option<Literal> {
    let text = |s: &Option<String>| s.clone().map(Literal::String);
    match f {
        SortField::Seq => Some(Literal::Number(e.seq.unwrap_or_default() as f64)),
        SortField::Time => Some(Literal::Time(e.time)),
        SortField::Id => Some(Literal::String(e.id.clone())),
        SortField::User => Some(Literal::String(e.user.clone())),
        SortField::Action => Some(Literal::String(e.action.clone())),
        SortField::Outcome => Some(Literal::String(e.outcome.clone())),
        SortField::Table => text(&e.table),
        SortField::ResourceId => text(&e.resource_id),
        SortField::Service => text(&e.service),
        SortField::Origin => text(&e.origin),
        SortField::Ip => text(&e.ip),
    }
}

fn cmp(field: &Field, op: CmpOp, value: Literal) -> Expr {
    Expr::Compare {
        field: field.clone(),
        op,
        value,
    }
}

/// The events strictly after `anchor` in the order of `key` with ties broken by seq in the
/// same direction (the order `Query` sorts in with one key). To read backwards, flip
/// `key.descending`: the events before `anchor`, nearest first.
pub fn after(key: SortKey, anchor: &Event) -> Expr {
    let seq = anchor.seq.unwrap_or_default();
    let (strict, loose, seq_op) = if key.descending {
        (CmpOp::Lt, CmpOp::Le, CmpOp::Lt)
    } else {
        (CmpOp::Gt, CmpOp::Ge, CmpOp::Gt)
    };
    if key.field == SortField::Seq {
        return seq_compare(seq_op, seq);
    }
    let field = field_of(key.field);
    let is_null = || cmp(&field, CmpOp::Eq, Literal::Null);
    match value_of(key.field, anchor) {
        // `F <= v AND (F < v OR seq < s)`: the first term is a range an index can seek to.
        Some(v) => {
            let later = Expr::And(vec![
                cmp(&field, loose, v.clone()),
                Expr::Or(vec![cmp(&field, strict, v), seq_compare(seq_op, seq)]),
            ]);
            if key.descending && nullable(key.field) {
                // Descending, the events without a value come last.
                Expr::Or(vec![later, is_null()])
            } else {
                later
            }
        }
        None => {
            let among_nulls = Expr::And(vec![is_null(), seq_compare(seq_op, seq)]);
            if key.descending {
                among_nulls
            } else {
                // Ascending, the events without a value come first: all with one follow.
                Expr::Or(vec![among_nulls, Expr::Not(Box::new(is_null()))])
            }
        }
    }
}

/// Whether events may lack a value of `f`.
fn nullable(f: SortField) -> bool {
    matches!(
        f,
        SortField::Table
            | SortField::ResourceId
            | SortField::Service
            | SortField::Origin
            | SortField::Ip
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::store::{Append, Query, Store, sqlite::SqliteStore};

    fn event(i: usize, user: &str, table: Option<&str>, ip: Option<&str>, minute: u32) -> Event {
        let mut v = json!({
            "id": format!("e{i}"),
            "time": format!("2026-11-01T10:{minute:02}:00Z"),
            "user": user,
            "action": "UPDATE",
        });
        if let Some(t) = table {
            v["table"] = json!(t);
        }
        if let Some(ip) = ip {
            v["ip"] = json!(ip);
        }
        serde_json::from_value(v).unwrap()
    }

    fn arb_events() -> impl Strategy<Value = Vec<Event>> {
        let one = (
            prop::sample::select(vec!["alice", "bob", "Carol", "dave"]),
            prop::option::of(prop::sample::select(vec!["a", "b", "policies"])),
            prop::option::of(prop::sample::select(vec!["10.0.0.2", "10.0.0.10", "::1"])),
            0u32..4,
        );
        prop::collection::vec(one, 1..25).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (u, t, ip, m))| event(i, u, t, ip, m))
                .collect()
        })
    }

    fn key() -> impl Strategy<Value = SortKey> {
        (
            prop::sample::select(SortField::NAMES.to_vec()),
            any::<bool>(),
        )
            .prop_map(|((_, field), descending)| SortKey { field, descending })
    }

    fn seqs(store: &dyn Store, filter: Expr, key: SortKey) -> Vec<u64> {
        window(store, filter, key, None, 0)
    }

    fn window(
        store: &dyn Store,
        filter: Expr,
        key: SortKey,
        limit: Option<usize>,
        offset: usize,
    ) -> Vec<u64> {
        let mut out = Vec::new();
        let q = Query {
            filter,
            order: vec![key],
            limit,
            offset,
        };
        store
            .scan(&q, &mut |e| {
                out.push(e.seq.unwrap());
                Ok(true)
            })
            .unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A window of an order (`--limit`, `--offset`, a server's page) is that slice of the
        /// whole order, ties and all: the store sorts a window's keys apart from its rows.
        #[test]
        fn a_window_is_a_slice_of_the_order(
            events in arb_events(),
            key in key(),
            limit in 0usize..8,
            offset in 0usize..30,
            user in prop::sample::select(vec!["alice", "bob"]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut store = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
            store.append(&mut events.into_iter().map(Ok)).unwrap();
            for filter in [Expr::All, crate::query::parse(&format!("user = {user}"), chrono::Utc::now()).unwrap()] {
                let all = seqs(&store, filter.clone(), key);
                let expected: Vec<u64> = all.iter().skip(offset).take(limit).copied().collect();
                let found = window(&store, filter, key, Some(limit), offset);
                prop_assert_eq!(found, expected, "{:?} limit {} offset {}", key, limit, offset);
            }
        }

        /// Paging from any event forwards gives the rest of the order, and backwards the part
        /// before it reversed, in the SQLite store and in a JSON Lines file alike.
        #[test]
        fn pages_continue_the_order(events in arb_events(), key in key()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("audit.db");
            let mut store = SqliteStore::open_or_create(&path).unwrap();
            store.append(&mut events.clone().into_iter().map(Ok)).unwrap();
            let lines: String = events.iter().map(|e| {
                String::from_utf8(e.canonical_bytes()).unwrap() + "\n"
            }).collect();
            let file = dir.path().join("events.jsonl");
            std::fs::write(&file, lines).unwrap();
            let jsonl = crate::store::jsonl::JsonlStore::open(&file, crate::redact::Redactor::builtin());
            for backend in [&store as &dyn Store, &jsonl as &dyn Store] {
                let all = seqs(backend, Expr::All, key);
                for (i, seq) in all.iter().enumerate() {
                    let anchor = backend.get(&seq.to_string()).unwrap();
                    let forward = seqs(backend, after(key, &anchor), key);
                    prop_assert_eq!(&forward[..], &all[i + 1..], "after {} by {:?}", seq, key);
                    let back_key = SortKey { descending: !key.descending, ..key };
                    let mut backward = seqs(backend, after(back_key, &anchor), back_key);
                    backward.reverse();
                    prop_assert_eq!(&backward[..], &all[..i], "before {} by {:?}", seq, key);
                }
            }
        }
    }
}
