//! Revert plans (docs/SPEC.md §5): what undoing one event does to its record's current state,
//! and which later events stand in the way. Pure: the caller reads the events.

use serde_json::Value;

use super::{changed_paths, patch};
use crate::model::Event;
use crate::query::Path;

/// What a revert would append: the record goes from `current` to `restored`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The compensating action: `UPDATE`, `DELETE` (undoing a create) or `CREATE`.
    pub action: &'static str,
    /// The record as it is now: the `after` of the latest event that changed it.
    pub current: Option<Value>,
    /// The record once reverted.
    pub restored: Option<Value>,
    /// The paths set back; the empty path stands for the whole value.
    pub paths: Vec<Path>,
    /// Later changes to paths this revert would set.
    pub conflicts: Vec<Conflict>,
}

/// A later event that changed a path the revert would set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub path: Path,
    pub seq: u64,
    pub id: String,
    pub user: String,
}

/// How an event stands in its revert chain, which only the store knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevertLinks {
    /// The seq of the event this one reverts.
    pub reverts_seq: Option<u64>,
    /// The seq of the event that reverted this one.
    pub reverted_by: Option<u64>,
}

impl RevertLinks {
    /// The short mark of tables: `reverted by #12`, `reverts #7`, or empty.
    pub fn mark(&self) -> String {
        match (self.reverts_seq, self.reverted_by) {
            (Some(of), Some(by)) => format!("reverts #{of}, reverted by #{by}"),
            (None, Some(by)) => format!("reverted by #{by}"),
            (Some(of), None) => format!("reverts #{of}"),
            (None, None) => String::new(),
        }
    }
}

/// Why there is no plan at all: the event changed no data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "event {0} changed no data (it has neither before nor after), so there is nothing to revert"
)]
pub struct NoData(pub u64);

/// Whether an event changed its record's data (a READ or LOGIN does not).
pub fn changes_data(e: &Event) -> bool {
    e.before.is_some() || e.after.is_some()
}

/// The plan to revert `target`, given the events on the same record appended after it, in seq
/// order (events that changed no data are ignored, and so is the target's own revert chain
/// when looking for conflicts).
///
/// A JSON update is reverted path by path: each path the event changed is set back to its
/// `before` value in the current state, leaving other paths as later events left them. A
/// create, a delete, or text data (an XML document) is reverted as a whole value.
pub fn plan(target: &Event, later: &[Event]) -> Result<Plan, NoData> {
    plan_ignoring(target, later, &[])
}

/// `plan`, leaving alone the paths under `volatile`: bookkeeping that the record's system
/// bumps on every write (a Kubernetes object's resourceVersion), which a revert neither sets
/// back nor counts as a conflict.
pub fn plan_ignoring(target: &Event, later: &[Event], volatile: &[Path]) -> Result<Plan, NoData> {
    if !changes_data(target) {
        return Err(NoData(target.seq.unwrap_or_default()));
    }
    let later: Vec<&Event> = later.iter().filter(|e| changes_data(e)).collect();
    let current = match later.last() {
        Some(e) => e.after.clone(),
        None => target.after.clone(),
    };
    let (paths, restored) = match (&target.before, &target.after) {
        (Some(before), Some(after)) => {
            // Undone in the reverse of the order that applies them, so that array elements
            // come back (and go) at the indices they had.
            let mut changes = patch::ordered(changed_paths(Some(before), Some(after)));
            changes.retain(|c| !is_volatile(&c.path, volatile));
            let mut restored = current.clone();
            for c in changes.iter().rev() {
                patch::set(&mut restored, &c.path, c.old.clone());
            }
            (changes.into_iter().map(|c| c.path).collect(), restored)
        }
        // A create or a delete: the whole record goes back.
        (before, _) => (vec![Path(Vec::new())], before.clone()),
    };
    // Reverts of the target, reverts of those, and so on, only undo and redo this very change:
    // they are the "already reverted" question, not conflicts.
    let mut chain = vec![target.id.as_str()];
    let mut conflicts = Vec::new();
    for e in later {
        if e.reverts.as_deref().is_some_and(|r| chain.contains(&r)) {
            chain.push(&e.id);
            continue;
        }
        for c in changed_paths(e.before.as_ref(), e.after.as_ref()) {
            if !is_volatile(&c.path, volatile) && paths.iter().any(|p| overlaps(p, &c.path)) {
                conflicts.push(Conflict {
                    path: c.path,
                    seq: e.seq.unwrap_or_default(),
                    id: e.id.clone(),
                    user: e.user.clone(),
                });
            }
        }
    }
    let action = match (&current, &restored) {
        (None, Some(_)) => "CREATE",
        (Some(_), None) => "DELETE",
        _ => "UPDATE",
    };
    Ok(Plan {
        action,
        current,
        restored,
        paths,
        conflicts,
    })
}

/// Whether `path` is one of the `volatile` paths or inside one.
fn is_volatile(path: &Path, volatile: &[Path]) -> bool {
    volatile
        .iter()
        .any(|v| path.0.len() >= v.0.len() && path.0[..v.0.len()] == v.0[..])
}

/// Whether setting one path can change the other: equal, or one inside the other.
fn overlaps(a: &Path, b: &Path) -> bool {
    let n = a.0.len().min(b.0.len());
    a.0[..n] == b.0[..n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::patch::tests::value;
    use proptest::prelude::*;
    use serde_json::json;

    fn event(seq: u64, before: Option<Value>, after: Option<Value>) -> Event {
        let mut e: Event = serde_json::from_value(json!({
            "id": format!("e{seq}"), "time": "2026-11-01T00:00:00Z", "user": "alice",
            "action": "UPDATE", "message": "m", "table": "t", "resource_id": "1",
        }))
        .unwrap();
        e.seq = Some(seq);
        e.before = before;
        e.after = after;
        e
    }

    #[test]
    fn later_change_to_another_field_is_kept() {
        let target = event(
            1,
            Some(json!({"a": 1, "b": 1})),
            Some(json!({"a": 2, "b": 1})),
        );
        let later = [event(
            2,
            Some(json!({"a": 2, "b": 1})),
            Some(json!({"a": 2, "b": 5})),
        )];
        let plan = plan(&target, &later).unwrap();
        assert_eq!(plan.restored, Some(json!({"a": 1, "b": 5})));
        assert_eq!(plan.action, "UPDATE");
        assert!(plan.conflicts.is_empty());
    }

    #[test]
    fn volatile_paths_are_neither_restored_nor_conflicts() {
        let target = event(
            1,
            Some(json!({"a": 1, "meta": {"v": 1}})),
            Some(json!({"a": 2, "meta": {"v": 2}})),
        );
        let later = [event(
            2,
            Some(json!({"a": 2, "meta": {"v": 2}})),
            Some(json!({"a": 2, "b": 1, "meta": {"v": 3}})),
        )];
        let volatile = [Path::parse("meta.v").unwrap()];
        let p = plan_ignoring(&target, &later, &volatile).unwrap();
        assert_eq!(p.restored, Some(json!({"a": 1, "b": 1, "meta": {"v": 3}})));
        assert_eq!(p.paths, vec![Path::parse("a").unwrap()]);
        assert!(p.conflicts.is_empty());
        let strict = plan(&target, &later).unwrap();
        assert_eq!(strict.conflicts.len(), 1, "without: meta.v conflicts");
    }

    #[test]
    fn later_change_to_the_same_field_conflicts() {
        let target = event(
            1,
            Some(json!({"s": {"on": true}})),
            Some(json!({"s": {"on": false}})),
        );
        let later = [
            event(2, None, None),
            event(
                3,
                Some(json!({"s": {"on": false}})),
                Some(json!({"s": {"on": 3}})),
            ),
            event(4, Some(json!({"s": {"on": 3}})), Some(json!({"s": 0}))),
        ];
        let plan = plan(&target, &later).unwrap();
        let found: Vec<(String, u64)> = plan
            .conflicts
            .iter()
            .map(|c| (c.path.to_string(), c.seq))
            .collect();
        assert_eq!(found, vec![("s.on".into(), 3), ("s".into(), 4)]);
        // Forced, the reverted value wins over the later reshaping.
        assert_eq!(plan.restored, Some(json!({"s": {"on": true}})));
    }

    #[test]
    fn create_delete_and_text() {
        let create = event(1, None, Some(json!({"a": 1})));
        let p = plan(&create, &[]).unwrap();
        assert_eq!((p.action, p.restored), ("DELETE", None));

        let delete = event(1, Some(json!({"a": 1})), None);
        let p = plan(&delete, &[]).unwrap();
        assert_eq!((p.action, p.restored), ("CREATE", Some(json!({"a": 1}))));
        let recreated = [event(2, None, Some(json!({"a": 2})))];
        assert_eq!(plan(&delete, &recreated).unwrap().conflicts.len(), 1);

        let text = event(1, Some(json!("<a/>")), Some(json!("<b/>")));
        let p = plan(&text, &[]).unwrap();
        assert_eq!(p.restored, Some(json!("<a/>")));
        assert_eq!(p.paths, vec![Path(vec![])]);

        assert_eq!(plan(&event(7, None, None), &[]), Err(NoData(7)));
    }

    #[test]
    fn the_revert_chain_is_no_conflict() {
        let target = event(1, Some(json!({"a": 1})), Some(json!({"a": 2})));
        let mut undo = event(2, Some(json!({"a": 2})), Some(json!({"a": 1})));
        undo.reverts = Some("e1".into());
        let mut redo = event(3, Some(json!({"a": 1})), Some(json!({"a": 2})));
        redo.reverts = Some("e2".into());
        let p = plan(&target, &[undo, redo.clone()]).unwrap();
        assert!(p.conflicts.is_empty());
        assert_eq!(p.restored, Some(json!({"a": 1})));
        // Someone else's change to the same path still conflicts.
        redo.reverts = None;
        assert_eq!(plan(&target, &[redo]).unwrap().conflicts.len(), 1);
    }

    proptest! {
        /// With nothing after it, reverting an update restores exactly its before.
        #[test]
        fn revert_of_update_gives_before(b in value(), a in value()) {
            let p = plan(&event(1, Some(b.clone()), Some(a)), &[]).unwrap();
            prop_assert_eq!(p.restored, Some(b));
            prop_assert!(p.conflicts.is_empty());
        }

        /// Reverting the revert gives the update's after again.
        #[test]
        fn revert_of_revert_gives_after(b in value(), a in value()) {
            let p = plan(&event(1, Some(b.clone()), Some(a.clone())), &[]).unwrap();
            let revert = event(2, p.current, p.restored);
            let again = plan(&revert, &[]).unwrap();
            prop_assert_eq!(again.restored, Some(a));
        }

        /// Volatile paths keep their latest value and never conflict; the rest of the record
        /// goes back to before.
        #[test]
        fn volatile_paths_stay_as_they_are(
            vb in value(), va in value(), nb in 0u32..9, na in 0u32..9, nl in 0u32..9,
        ) {
            let wrap = |data: &Value, n: u32| json!({"data": data, "meta": {"v": n}});
            let target = event(1, Some(wrap(&vb, nb)), Some(wrap(&va, na)));
            // A later write that only bumped the volatile path.
            let later = [event(2, Some(wrap(&va, na)), Some(wrap(&va, nl)))];
            let volatile = [Path::parse("meta.v").unwrap()];
            let p = plan_ignoring(&target, &later, &volatile).unwrap();
            prop_assert_eq!(p.restored, Some(wrap(&vb, nl)));
            prop_assert!(p.conflicts.is_empty());
        }
    }
}
