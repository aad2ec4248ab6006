//! Deciding a revert against a store, and the event that carries it out: shared by `revert`
//! and the server's revert endpoints, so both refuse and append alike.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::sqlite::SqliteStore;
use super::{Append, Decide, Store, Write, history};
use crate::api;
use crate::change::revert::{self, Plan};
use crate::import::k8s;
use crate::model::Event;

/// What the store says about reverting one event, right now.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub target: Event,
    pub plan: Plan,
    /// The event that already undid the target, if any.
    pub reverted_by: Option<Event>,
    /// The seq whose `after` is the current state.
    pub current_seq: u64,
}

/// Why a revert does not go ahead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    NotRevertible(String),
    #[error("event {seq} was already reverted by event {by}")]
    AlreadyReverted { seq: u64, by: u64 },
    #[error("{0}")]
    Conflict(String),
    #[error(
        "reverting event {0} would change nothing: the record is already as the event found it"
    )]
    NoChange(u64),
    #[error("the record changed since the plan was made; nothing was reverted")]
    Changed,
}

impl Refusal {
    /// The refusal as the API carries it.
    pub fn to_api(&self) -> api::Refused {
        api::Refused {
            code: self.code().to_owned(),
            detail: self.to_string(),
        }
    }

    /// The stable word of the HTTP API (docs/REMOTE_API.md §3, §5.5).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotRevertible(_) | Refusal::NoChange(_) => "not-revertible",
            Refusal::AlreadyReverted { .. } => "already-reverted",
            Refusal::Conflict(_) => "revert-conflict",
            Refusal::Changed => "precondition-failed",
        }
    }
}

/// What to do about a refusal, by its stable word (a server's refusals carry only the word).
pub fn refusal_hint(code: &str) -> Option<&'static str> {
    match code {
        "already-reverted" => Some("--force reverts it again"),
        "revert-conflict" => Some("--force reverts anyway, overwriting those later changes"),
        "precondition-failed" => Some("run the revert again to see the new plan"),
        _ => None,
    }
}

/// The decision for reverting event `id` as the store stands.
pub fn decide(store: &dyn Store, id: &str) -> anyhow::Result<Decision> {
    let target = store.get(id)?;
    let later = history::later_events(store, &target)?;
    let volatile = if target.service.as_deref() == Some(k8s::SERVICE) {
        k8s::volatile_paths()
    } else {
        Vec::new()
    };
    let plan = revert::plan_ignoring(&target, &later, &volatile)
        .map_err(|e| Refusal::NotRevertible(e.to_string()))?;
    let current_seq = later
        .iter()
        .rfind(|e| revert::changes_data(e))
        .unwrap_or(&target)
        .seq
        .unwrap_or_default();
    Ok(Decision {
        reverted_by: history::effective_reverter(store, &target.id)?,
        target,
        plan,
        current_seq,
    })
}

impl Decision {
    /// Why the revert must not go ahead: an earlier revert or conflicts (unless `force`), or
    /// nothing to change (even forced).
    pub fn refusal(&self, force: bool) -> Option<Refusal> {
        let seq = self.target.seq.unwrap_or_default();
        // A marker of a redacted value is not data: never write it back into a record.
        let restored = Event {
            after: self.plan.restored.clone(),
            ..Event::new(
                String::new(),
                self.target.time,
                String::new(),
                String::new(),
            )
        };
        if let Some((path, marker)) = crate::redact::marker_path(&restored) {
            return Some(Refusal::NotRevertible(format!(
                "reverting event {seq} would write {marker:?} at {}: the event was imported \
                 from an export without --reveal, so its old value is not known",
                path.replacen("after", "the record", 1)
            )));
        }
        if !force {
            if let Some(r) = &self.reverted_by {
                return Some(Refusal::AlreadyReverted {
                    seq,
                    by: r.seq.unwrap_or_default(),
                });
            }
            if !self.plan.conflicts.is_empty() {
                let mut message =
                    format!("later events changed what reverting event {seq} would restore:");
                for c in &self.plan.conflicts {
                    let path = if c.path.0.is_empty() {
                        "the whole record".to_owned()
                    } else {
                        c.path.to_string()
                    };
                    message.push_str(&format!(
                        "\n  {path}: changed by event {} ({})",
                        c.seq, c.user
                    ));
                }
                return Some(Refusal::Conflict(message));
            }
        }
        (self.plan.current == self.plan.restored).then_some(Refusal::NoChange(seq))
    }

    /// A fingerprint of the event and the record's current version, for `ETag`/`If-Match`:
    /// it changes when anything the plan depends on changes.
    pub fn etag(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.target.id.as_bytes());
        h.update(self.current_seq.to_be_bytes());
        h.update(
            self.reverted_by
                .as_ref()
                .and_then(|e| e.seq)
                .unwrap_or(0)
                .to_be_bytes(),
        );
        let digest = h.finalize();
        format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    }

    /// The event that undoes the target: the compensating action on the same record, from
    /// the current state to the restored one.
    pub fn compensating_event(
        &self,
        now: DateTime<Utc>,
        user: &str,
        reason: Option<&str>,
    ) -> Event {
        let t = &self.target;
        let seq = t.seq.unwrap_or_default();
        Event {
            seq: None,
            id: String::new(),
            time: now,
            user: user.to_owned(),
            user_type: Some("user".to_owned()),
            ip: None,
            action: self.plan.action.to_owned(),
            operation: Some("revert".to_owned()),
            service: t.service.clone(),
            origin: Some("auditctl".to_owned()),
            table: t.table.clone(),
            resource_id: t.resource_id.clone(),
            message: match reason {
                Some(r) => r.to_owned(),
                None => format!("Revert of event {seq}: {}", t.message),
            },
            outcome: "success".to_owned(),
            before: self.plan.current.clone(),
            after: self.plan.restored.clone(),
            reverts: Some(t.id.clone()),
            meta: serde_json::Map::new(),
        }
    }
}

/// The value at a path of a record state, or null.
fn at(state: Option<&serde_json::Value>, path: &crate::query::Path) -> serde_json::Value {
    state
        .and_then(|v| {
            if path.0.is_empty() {
                Some(v)
            } else {
                path.lookup(v)
            }
        })
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

impl Decision {
    /// The plan as the API and `revert` show it, values unredacted.
    pub fn to_api(&self) -> api::RevertPlan {
        let (current, restored) = (&self.plan.current, &self.plan.restored);
        let set = self
            .plan
            .paths
            .iter()
            .map(|p| api::SetPath {
                path: p.to_string(),
                from: at(current.as_ref(), p),
                to: at(restored.as_ref(), p),
            })
            .collect();
        let mut conflicts: Vec<api::PathConflict> = Vec::new();
        for c in &self.plan.conflicts {
            let path = c.path.to_string();
            match conflicts.iter_mut().find(|p| p.path == path) {
                Some(p) => p.changed_by.push(c.id.clone()),
                None => conflicts.push(api::PathConflict {
                    path,
                    expected: at(self.target.after.as_ref(), &c.path),
                    current: at(current.as_ref(), &c.path),
                    changed_by: vec![c.id.clone()],
                }),
            }
        }
        api::RevertPlan {
            event_id: self.target.id.clone(),
            seq: self.target.seq.unwrap_or_default(),
            table: self.target.table.clone(),
            resource_id: self.target.resource_id.clone(),
            operation: self.plan.action.to_ascii_lowercase(),
            set,
            conflicts,
            already_reverted_by: self.reverted_by.as_ref().map(|e| e.id.clone()),
            current_seq: self.current_seq,
            current: current.clone(),
            restored: restored.clone(),
            refusal: self.refusal(false).map(|r| r.to_api()),
            refusal_forced: self.refusal(true).map(|r| r.to_api()),
        }
    }
}

/// Hides a plan's sensitive values, as every output does without `--reveal`.
/// Whether a plan compares sensitive values: which paths it sets, which conflict and whether
/// it refuses all depend on whether they are equal, so one who may set a record's current
/// state could learn a secret a guess at a time from such plans.
pub fn compares_sensitive(plan: &api::RevertPlan, redactor: &crate::redact::Redactor) -> bool {
    let holds = |v: &Option<serde_json::Value>| {
        v.as_ref().is_some_and(|v| {
            let mut hidden = v.clone();
            redactor.redact_value(&mut hidden);
            hidden != *v
        })
    };
    plan.set.iter().any(|p| redactor.is_sensitive_path(&p.path))
        || plan
            .conflicts
            .iter()
            .any(|c| redactor.is_sensitive_path(&c.path))
        || holds(&plan.current)
        || holds(&plan.restored)
}

pub fn redact_plan(plan: &mut api::RevertPlan, redactor: &crate::redact::Redactor) {
    redactor.redact_pair(plan.current.as_mut(), plan.restored.as_mut());
    for p in &mut plan.set {
        if redactor.is_sensitive_path(&p.path) {
            for v in [&mut p.from, &mut p.to] {
                if !v.is_null() {
                    *v = serde_json::Value::String(crate::redact::REDACTED.to_owned());
                }
            }
        } else {
            redactor.redact_value(&mut p.from);
            redactor.redact_value(&mut p.to);
        }
    }
    for c in &mut plan.conflicts {
        for v in [&mut c.expected, &mut c.current] {
            if redactor.is_sensitive_path(&c.path) && !v.is_null() {
                *v = serde_json::Value::String(crate::redact::REDACTED.to_owned());
            } else {
                redactor.redact_value(v);
            }
        }
    }
}

/// A store whose `Append::append_groups` decides an event inside its write transaction
/// (`Write::Decided`): what a revert needs so that two reverts of one event, from any process,
/// cannot both win. The CLI's revert and the server's writer both append reverts this way.
pub trait DecidesInTransaction: Store + Append {}

impl DecidesInTransaction for SqliteStore {}

impl DecidesInTransaction for super::postgres::PgStore {}

impl<S: DecidesInTransaction> super::Revert for S {
    fn reverter(&self) -> anyhow::Result<String> {
        Ok(crate::config::default_user().unwrap_or_else(|| "unknown".to_owned()))
    }

    fn revert_plan(&self, id: &str) -> anyhow::Result<(api::RevertPlan, String)> {
        let d = decide(self, id)?;
        Ok((d.to_api(), d.etag()))
    }

    fn revert(
        &mut self,
        id: &str,
        etag: &str,
        request: &api::RevertRequest,
        mut gate: Option<crate::store::Gate<'_>>,
    ) -> anyhow::Result<Event> {
        let user = match &request.user {
            Some(u) => u.clone(),
            None => self.reverter()?,
        };
        let decided: Decide<'_> = Box::new(|s| {
            let mut event = revert_event(s, id, etag, request, &user, None)?;
            if let Some(gate) = gate.as_mut() {
                gate(&mut event)?;
            }
            Ok(event)
        });
        let report = self.write_one(Write::Decided(decided))?;
        // `Write::Decided` fails rather than skip an event stored already.
        let seq = report.first_seq.context("the revert appended nothing")?;
        self.get(&seq.to_string())
    }
}

/// The event that reverts `id` for `user`, decided with the store as the transaction that
/// appends it sees it: refused when the plan no longer has `etag` or would be refused, and,
/// for a caller who may not see what `hidden` hides, when the plan compares such values
/// (`ComparesSensitive`).
pub fn revert_event(
    store: &dyn Store,
    id: &str,
    etag: &str,
    request: &api::RevertRequest,
    user: &str,
    hidden: Option<&crate::redact::Redactor>,
) -> anyhow::Result<Event> {
    let d = decide(store, id)?;
    if d.etag() != etag {
        return Err(Refusal::Changed.into());
    }
    if let Some(r) = d.refusal(request.force) {
        return Err(r.into());
    }
    if let Some(hidden) = hidden
        && compares_sensitive(&d.to_api(), hidden)
    {
        return Err(ComparesSensitive.into());
    }
    Ok(d.compensating_event(crate::timespec::now(), user, request.reason.as_deref()))
}

/// A revert refused because its plan compares values the caller may not see.
#[derive(Debug, thiserror::Error)]
#[error("this revert compares sensitive values")]
pub struct ComparesSensitive;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Redactor;
    use crate::store::Revert;

    /// A revert is appended as any write is: a store whose hidden search keys another process
    /// changed since this one opened it refuses the revert, rather than index a value that is
    /// hidden now.
    #[test]
    fn a_revert_is_refused_when_the_hidden_search_keys_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let mut store = SqliteStore::open_or_create(&path).unwrap();
        let update: Event = serde_json::from_value(serde_json::json!({
            "id": "e-1", "time": "2026-11-20T10:00:00Z", "user": "alice", "action": "UPDATE",
            "table": "users", "resource_id": "u-1",
            "before": {"nickname": "bluebird"}, "after": {"nickname": "kingfisher"},
        }))
        .unwrap();
        store.append(&mut std::iter::once(Ok(update))).unwrap();
        let (_, etag) = store.revert_plan("e-1").unwrap();
        SqliteStore::open(&path)
            .unwrap()
            .hide_in_search(&Redactor::new(&["nickname".to_owned()]).unwrap())
            .unwrap();
        let refused = store
            .revert("e-1", &etag, &api::RevertRequest::default(), None)
            .unwrap_err();
        assert!(
            refused.to_string().contains("changed while this ran"),
            "{refused:#}"
        );
        assert_eq!(
            SqliteStore::open(&path).unwrap().len().unwrap(),
            1,
            "nothing appended"
        );
    }
}
