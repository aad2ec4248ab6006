//! Questions about how events relate, answered through any store: the events of one record,
//! its state at some point, and which event reverted which.

use std::collections::HashMap;

use super::{Query, Store};
use crate::change::revert::{self, RevertLinks};
use crate::model::Event;
use crate::query::{CmpOp, Expr, Field, Literal};

/// How many ids one `IN (…)` query carries, well under SQLite's parameter limit.
const CHUNK: usize = 500;

fn equals(field: Field, value: &str) -> Expr {
    Expr::Compare {
        field,
        op: CmpOp::Eq,
        value: Literal::String(value.to_owned()),
    }
}

fn any_of<'a>(field: Field, values: impl Iterator<Item = &'a str>) -> Expr {
    Expr::In {
        field,
        values: values.map(|v| Literal::String(v.to_owned())).collect(),
    }
}

fn collect(store: &dyn Store, query: &Query) -> anyhow::Result<Vec<Event>> {
    let mut events = Vec::new();
    store.scan(query, &mut |e| {
        events.push(e);
        Ok(true)
    })?;
    Ok(events)
}

/// Every event of one record (table, resource_id), oldest first.
pub fn record_events(
    store: &dyn Store,
    table: &str,
    resource_id: &str,
) -> anyhow::Result<Vec<Event>> {
    let filter = Expr::and(vec![
        equals(Field::Table, table),
        equals(Field::ResourceId, resource_id),
    ]);
    collect(store, &Query::in_seq_order(filter))
}

/// The record's current state: the `after` of the latest event on it that changed data (none
/// once it was deleted). Reads back from the newest event, so a long history costs little.
pub fn current_state(
    store: &dyn Store,
    table: &str,
    resource_id: &str,
) -> anyhow::Result<Option<serde_json::Value>> {
    let filter = Expr::and(vec![
        equals(Field::Table, table),
        equals(Field::ResourceId, resource_id),
    ]);
    let mut query = Query::in_seq_order(filter);
    query.order[0].descending = true;
    let mut state = None;
    store.scan(&query, &mut |e| {
        if revert::changes_data(&e) {
            state = Some(e.after);
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok(state.flatten())
}

/// The events of `e`'s record appended after it, oldest first; none when `e` names no record.
pub fn later_events(store: &dyn Store, e: &Event) -> anyhow::Result<Vec<Event>> {
    let (Some(table), Some(rid), Some(seq)) = (&e.table, &e.resource_id, e.seq) else {
        return Ok(Vec::new());
    };
    let mut events = record_events(store, table, rid)?;
    events.retain(|other| other.seq > Some(seq));
    Ok(events)
}

/// The record's state right after `e`: its `after` when it changed data, else the `after` of
/// the latest earlier event of the same record that did (a READ leaves the state as it was).
pub fn state_after(store: &dyn Store, e: &Event) -> anyhow::Result<Option<serde_json::Value>> {
    if revert::changes_data(e) {
        return Ok(e.after.clone());
    }
    let (Some(table), Some(rid)) = (&e.table, &e.resource_id) else {
        return Ok(None);
    };
    let earlier = record_events(store, table, rid)?;
    Ok(earlier
        .into_iter()
        .rfind(|o| o.seq <= e.seq && revert::changes_data(o))
        .and_then(|o| o.after))
}

/// The events whose `reverts` is `id`, oldest first.
pub fn reverters(store: &dyn Store, id: &str) -> anyhow::Result<Vec<Event>> {
    collect(store, &Query::in_seq_order(equals(Field::Reverts, id)))
}

/// The event that currently undoes `id`: a reverter that has not itself been undone. A revert
/// of the revert puts the change back, so the original may then be reverted again.
pub fn effective_reverter(store: &dyn Store, id: &str) -> anyhow::Result<Option<Event>> {
    for r in reverters(store, id)?.into_iter().rev() {
        if effective_reverter(store, &r.id)?.is_none() {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

/// For each event, the seq it reverts and the latest event that reverted it, in a few queries
/// for the whole batch.
pub fn revert_links(store: &dyn Store, events: &[Event]) -> anyhow::Result<Vec<RevertLinks>> {
    let mut seq_of: HashMap<String, u64> = HashMap::new();
    let mut reverted_by: HashMap<String, u64> = HashMap::new();
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    for chunk in ids.chunks(CHUNK) {
        let query = Query::in_seq_order(any_of(Field::Reverts, chunk.iter().copied()));
        for r in collect(store, &query)? {
            if let (Some(of), Some(seq)) = (r.reverts, r.seq) {
                reverted_by.insert(of, seq);
            }
        }
    }
    let targets: Vec<&str> = events.iter().filter_map(|e| e.reverts.as_deref()).collect();
    for chunk in targets.chunks(CHUNK) {
        let query = Query::in_seq_order(any_of(Field::Id, chunk.iter().copied()));
        for t in collect(store, &query)? {
            if let Some(seq) = t.seq {
                seq_of.insert(t.id, seq);
            }
        }
    }
    Ok(events
        .iter()
        .map(|e| RevertLinks {
            reverts_seq: e.reverts.as_ref().and_then(|id| seq_of.get(id).copied()),
            reverted_by: reverted_by.get(&e.id).copied(),
        })
        .collect())
}
