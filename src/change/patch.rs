//! RFC 6902 JSON Patch from a change list, and setting or removing a value at a path (what a
//! revert does to a record). Pure functions.

use serde_json::{Map, Value, json};

use super::{Change, ChangeKind};
use crate::query::{Path, Segment};

/// The RFC 6901 JSON Pointer of a path: `/settings/enabled`, `""` for the whole value.
pub fn pointer(path: &Path) -> String {
    path.0
        .iter()
        .map(|seg| match seg {
            Segment::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Segment::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// The JSON Patch (RFC 6902) that turns `before` into `after`. A missing value is `null`, so a
/// CREATE is one `add` of the whole record and a DELETE one `replace` with `null`.
pub fn json_patch(before: Option<&Value>, after: Option<&Value>) -> Value {
    let ops = match (before, after) {
        (None, None) => Vec::new(),
        (None, Some(a)) => vec![json!({"op": "add", "path": "", "value": a})],
        (Some(_), None) => vec![json!({"op": "replace", "path": "", "value": null})],
        (Some(b), Some(a)) => ordered(super::changed_paths(Some(b), Some(a)))
            .into_iter()
            .map(|c| {
                let path = pointer(&c.path);
                match (c.kind, c.new) {
                    (ChangeKind::Removed, _) | (_, None) => json!({"op": "remove", "path": path}),
                    (ChangeKind::Added, Some(v)) => json!({"op": "add", "path": path, "value": v}),
                    (ChangeKind::Changed, Some(v)) => {
                        json!({"op": "replace", "path": path, "value": v})
                    }
                }
            })
            .collect(),
    };
    Value::Array(ops)
}

/// Changes in an order that can be applied one after the other: array elements are removed
/// from the highest index down, so that each index still points at the element it named.
/// (`changed_paths` never removes and adds elements of the same array.)
pub fn ordered(mut changes: Vec<Change>) -> Vec<Change> {
    let mut removals: Vec<Change> = Vec::new();
    changes.retain(|c| {
        let array_removal =
            c.kind == ChangeKind::Removed && matches!(c.path.0.last(), Some(Segment::Index(_)));
        if array_removal {
            removals.push(c.clone());
        }
        !array_removal
    });
    removals.reverse();
    changes.extend(removals);
    changes
}

/// Sets `path` in `doc` to `value` (`None` removes it, and removing what is not there does
/// nothing). Setting always succeeds: whatever stands in the way becomes the object or array
/// the path needs, and a short array is padded with `null`. Only a forced revert meets such a
/// record, after a later event reshaped it, and there the reverted value is meant to win.
pub fn set(doc: &mut Option<Value>, path: &Path, value: Option<Value>) {
    let Some(value) = value else {
        remove(doc, path);
        return;
    };
    let mut node = doc.get_or_insert(Value::Null);
    for seg in &path.0 {
        node = match seg {
            Segment::Key(k) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                let map = node.as_object_mut().expect("made an object");
                map.entry(k.clone()).or_insert(Value::Null)
            }
            Segment::Index(i) => {
                if !node.is_array() {
                    *node = Value::Array(Vec::new());
                }
                let items = node.as_array_mut().expect("made an array");
                if items.len() <= *i {
                    items.resize(i + 1, Value::Null);
                }
                &mut items[*i]
            }
        };
    }
    *node = value;
}

fn remove(doc: &mut Option<Value>, path: &Path) {
    let Some((last, parents)) = path.0.split_last() else {
        *doc = None;
        return;
    };
    let Some(parent) = doc
        .as_mut()
        .and_then(|d| parents.iter().try_fold(d, |node, seg| child(node, seg)))
    else {
        return;
    };
    match (last, parent) {
        (Segment::Key(k), Value::Object(map)) => {
            map.remove(k);
        }
        (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

fn child<'a>(node: &'a mut Value, seg: &Segment) -> Option<&'a mut Value> {
    match (seg, node) {
        (Segment::Key(k), Value::Object(map)) => map.get_mut(k),
        (Segment::Index(i), Value::Array(items)) => items.get_mut(*i),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::change::changed_paths;
    use proptest::prelude::*;

    fn p(text: &str) -> Path {
        Path::parse(text).unwrap()
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(pointer(&Path(vec![])), "");
        assert_eq!(pointer(&p("a.b[2]")), "/a/b/2");
        assert_eq!(
            pointer(&Path(vec![Segment::Key("x/y~z".into())])),
            "/x~1y~0z"
        );
    }

    #[test]
    fn patches_for_create_delete_and_arrays() {
        assert_eq!(
            json_patch(None, Some(&json!({"a": 1}))),
            json!([{"op": "add", "path": "", "value": {"a": 1}}])
        );
        assert_eq!(
            json_patch(Some(&json!({"a": 1})), None),
            json!([{"op": "replace", "path": "", "value": null}])
        );
        assert_eq!(
            json_patch(Some(&json!({"t": [1, 2, 3]})), Some(&json!({"t": [9]}))),
            json!([
                {"op": "replace", "path": "/t/0", "value": 9},
                {"op": "remove", "path": "/t/2"},
                {"op": "remove", "path": "/t/1"},
            ])
        );
    }

    #[test]
    fn set_creates_parents_and_removes() {
        let mut doc = Some(json!({"a": {"b": 1}, "l": [1]}));
        set(&mut doc, &p("a.c"), Some(json!(2)));
        set(&mut doc, &p("x.y"), Some(json!(true)));
        set(&mut doc, &p("a.b"), None);
        set(&mut doc, &p("l[1]"), Some(json!(2)));
        set(&mut doc, &p("gone.deeper"), None);
        set(&mut doc, &p("l[7]"), None);
        assert_eq!(
            doc,
            Some(json!({"a": {"c": 2}, "x": {"y": true}, "l": [1, 2]}))
        );
        // What stands in the way gives way.
        set(&mut doc, &p("l[3]"), Some(json!(4)));
        set(&mut doc, &p("a.c.d"), Some(json!(0)));
        assert_eq!(
            doc,
            Some(json!({"a": {"c": {"d": 0}}, "x": {"y": true}, "l": [1, 2, null, 4]}))
        );
        set(&mut doc, &Path(vec![]), None);
        assert_eq!(doc, None);
        set(&mut doc, &p("n[1]"), Some(json!(1)));
        assert_eq!(doc, Some(json!({"n": [null, 1]})));
    }

    /// Random JSON documents, shallow enough to keep the search quick.
    pub(crate) fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..3).prop_map(Value::from),
            "[a-c~/]{0,2}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-c~/]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Our patch, applied by an independent RFC 6902 implementation, turns before into
        /// after.
        #[test]
        fn patch_turns_before_into_after(b in value(), a in value()) {
            let patch: json_patch::Patch =
                serde_json::from_value(json_patch(Some(&b), Some(&a))).unwrap();
            let mut doc = b.clone();
            json_patch::patch(&mut doc, &patch).unwrap();
            prop_assert_eq!(doc, a);
        }

        /// Setting every changed path to its new value, in order, also gives after.
        #[test]
        fn setting_changes_gives_after(b in value(), a in value()) {
            let mut doc = Some(b.clone());
            for c in ordered(changed_paths(Some(&b), Some(&a))) {
                set(&mut doc, &c.path, c.new);
            }
            prop_assert_eq!(doc, Some(a));
        }
    }
}
