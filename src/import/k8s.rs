//! Kubernetes audit logs (`audit.k8s.io/v1` `Event`, one per line, as the API server writes
//! them), mapped as docs/SPEC.md §8.3 says. The stages of one request become one event (the
//! latest stage wins), and each object's `before` is its last state seen earlier in the log.

use std::collections::HashMap;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Record, numbered_lines};
use crate::model::Event;

/// Whether one line is a Kubernetes audit event.
pub fn is_event_line(line: &[u8]) -> bool {
    serde_json::from_slice::<AuditEvent>(line).is_ok_and(|v| v.is_audit_event())
}

/// The fields of an audit event the mapping reads. The objects stay raw text until the one
/// that becomes `after` is parsed: most of a line is objects, and most of them are not needed.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AuditEvent {
    kind: Option<String>,
    api_version: Option<String>,
    #[serde(rename = "auditID")]
    audit_id: Option<String>,
    stage: Option<String>,
    verb: Option<String>,
    level: Option<String>,
    user: UserInfo,
    #[serde(rename = "sourceIPs")]
    source_ips: Vec<String>,
    user_agent: Option<String>,
    object_ref: ObjectRef,
    response_status: ResponseStatus,
    request_object: Option<Box<RawValue>>,
    response_object: Option<Box<RawValue>>,
    request_received_timestamp: Option<String>,
    stage_timestamp: Option<String>,
    annotations: Option<Map<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserInfo {
    username: Option<String>,
    groups: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ObjectRef {
    resource: Option<String>,
    subresource: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResponseStatus {
    code: Option<u64>,
}

impl AuditEvent {
    /// A session that lasts as long as someone keeps it open — `kubectl exec`, `attach`,
    /// `port-forward`, a proxied connection, a `watch` — whose final stage comes only when it
    /// ends, if the log ever sees it: it counts from `ResponseStarted`, the moment it began.
    fn is_session(&self) -> bool {
        self.verb.as_deref() == Some("watch")
            || self
                .object_ref
                .subresource
                .as_deref()
                .is_some_and(|s| matches!(s, "exec" | "attach" | "portforward" | "proxy"))
    }

    /// When this stage was logged.
    fn stage_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.stage_timestamp
            .as_deref()
            .or(self.request_received_timestamp.as_deref())
            .and_then(|t| super::parse_time(t).ok())
    }

    /// Kind Event with an auditID and a verb; `apiVersion`, when there, is audit.k8s.io's
    /// (some API servers and tools leave it out).
    fn is_audit_event(&self) -> bool {
        self.kind.as_deref() == Some("Event")
            && self.audit_id.is_some()
            && self.verb.is_some()
            && self
                .api_version
                .as_deref()
                .is_none_or(|a| a.starts_with("audit.k8s.io/"))
    }
}

/// The stages a request ends with: nothing later comes for its `auditID`.
fn is_final(stage: &str) -> bool {
    matches!(stage, "ResponseComplete" | "Panic")
}

/// An object's last known state outside the log (in the store), by (table, resource_id).
pub type Lookup<'a> = Box<dyn FnMut(&(String, String)) -> Option<Value> + 'a>;

/// The lookup of a log read without a store: no state is known outside it.
pub type NoLookup = fn(&(String, String)) -> Option<Value>;

pub fn no_lookup(_: &(String, String)) -> Option<Value> {
    None
}

/// Reads the log: numbered lines, stages merged by `auditID`, `before` filled from the state
/// the log showed last for the same object. Requests still in progress at the end are read
/// as far as they got.
pub fn records<'a, R: BufRead + 'a>(reader: R) -> impl Iterator<Item = Record> + 'a {
    let mut merger = Merger::new(no_lookup as NoLookup);
    let mut lines = numbered_lines(reader);
    let mut ready = std::collections::VecDeque::new();
    let mut done = false;
    std::iter::from_fn(move || {
        loop {
            if let Some((_, r)) = ready.pop_front() {
                return Some(r);
            }
            if done {
                return None;
            }
            match lines.next() {
                Some((line, text)) => {
                    merger.push(0, line, text);
                    ready.extend(merger.ready());
                }
                None => {
                    done = true;
                    ready.extend(merger.finish(false).0);
                }
            }
        }
    })
}

/// A request seen in the log, in the order requests first appear.
struct Slot {
    file: usize,
    line: usize,
    event: Result<AuditEvent, String>,
    /// Its final stage has been read (or it is a bad line).
    done: bool,
}

/// Merges the lines of one or more logs (files read in turn, as by one import) into events:
/// the stages of one `auditID` become one event, the latest stage winning, and events come
/// out in the order their requests first appear, so that a log read again numbers them
/// alike. Each object's `before` is its state as seen last, in these logs or by `lookup`.
pub struct Merger<L> {
    queue: std::collections::VecDeque<Slot>,
    /// The absolute position in the queue of each request not yet done, by auditID.
    open: HashMap<String, u64>,
    /// Sessions already given out at `ResponseStarted`: their later stages add nothing.
    sessions: std::collections::HashSet<String>,
    /// The latest stage time in the logs: a request in progress can still complete only if
    /// its last stage is recent against it.
    newest: Option<chrono::DateTime<chrono::Utc>>,
    /// The absolute position of the queue's front.
    front: u64,
    states: HashMap<(String, String), Value>,
    lookup: L,
}

/// Requests held at most while an earlier one is still in progress (a long watch): past it,
/// the earliest goes out as far as it got, so memory stays bounded.
const WINDOW: usize = 10_000;

/// How long a request may go on after its last stage and still complete. The API server ends
/// requests after a minute (`--request-timeout`), and long-running ones are sessions, taken at
/// `ResponseStarted`: a request in progress whose last stage is older than this, against the
/// newest event of the log, will never complete, and is imported as it stands.
pub const STILL_RUNNING: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

impl<L: FnMut(&(String, String)) -> Option<Value>> Merger<L> {
    pub fn new(lookup: L) -> Merger<L> {
        Merger {
            queue: Default::default(),
            open: HashMap::new(),
            sessions: Default::default(),
            newest: None,
            front: 0,
            states: HashMap::new(),
            lookup,
        }
    }

    /// Takes one numbered line of file number `file`.
    pub fn push(&mut self, file: usize, line: usize, text: Result<String, String>) {
        let parsed = match text {
            Ok(t) if t.trim().is_empty() => return,
            Ok(t) => match serde_json::from_str::<AuditEvent>(&t) {
                Ok(v) if v.is_audit_event() => Ok(v),
                Ok(_) => Err("not a Kubernetes audit event (kind Event of audit.k8s.io)".into()),
                Err(e) if e.is_data() => Err(format!("not a Kubernetes audit event: {e}")),
                Err(e) => Err(format!("not JSON: {e}")),
            },
            Err(why) => Err(why),
        };
        let v = match parsed {
            Ok(v) => v,
            Err(why) => {
                self.queue.push_back(Slot {
                    file,
                    line,
                    event: Err(why),
                    done: true,
                });
                return;
            }
        };
        let id = v.audit_id.clone().unwrap_or_default();
        if let Some(t) = v.stage_time() {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        if self.sessions.contains(&id) {
            return;
        }
        // An event without a stage (some tools write none) is the whole request; a session
        // is whole once it has started.
        let started = v.stage.as_deref() == Some("ResponseStarted") && v.is_session();
        if started {
            self.sessions.insert(id.clone());
        }
        let done = started || v.stage.as_deref().is_none_or(is_final);
        if let Some(&at) = self.open.get(&id) {
            let slot = &mut self.queue[(at - self.front) as usize];
            *slot = Slot {
                file,
                line,
                event: Ok(v),
                done,
            };
            if done {
                self.open.remove(&id);
            }
            return;
        }
        if !done {
            self.open.insert(id, self.front + self.queue.len() as u64);
        }
        self.queue.push_back(Slot {
            file,
            line,
            event: Ok(v),
            done,
        });
    }

    /// The events ready to go out: the requests at the front that are done (or pushed out by
    /// the window), each with its file number.
    pub fn ready(&mut self) -> Vec<(usize, Record)> {
        let mut out = Vec::new();
        while self
            .queue
            .front()
            .is_some_and(|front| front.done || self.queue.len() > WINDOW)
        {
            out.extend(self.pop());
        }
        out
    }

    /// The requests at the front that are done, pushed out by the window, or will never
    /// complete (their last stage more than `STILL_RUNNING` before the newest event): what a
    /// follower of a growing log can pass on now.
    pub fn ready_or_stale(&mut self) -> Vec<(usize, Record)> {
        let mut out = self.ready();
        while let Some(front) = self.queue.front() {
            let stale = match (&front.event, self.newest) {
                (Ok(v), Some(newest)) => v.stage_time().is_some_and(|t| newest - t > STILL_RUNNING),
                _ => false,
            };
            if !stale {
                break;
            }
            out.extend(self.pop());
            out.extend(self.ready());
        }
        out
    }

    /// Every event left. With `hold_back`, requests still in progress that can still
    /// complete (their last stage within `STILL_RUNNING` of the newest event) are left out and
    /// only counted: a later read of the rest of the log will see them whole. Older ones will
    /// never complete, and go out as they stand.
    pub fn finish(&mut self, hold_back: bool) -> (Vec<(usize, Record)>, usize) {
        let mut out = Vec::new();
        let mut held = 0;
        let newest = self.newest;
        let still_running = |slot: &Slot| match (&slot.event, newest) {
            (Ok(v), Some(newest)) => v.stage_time().is_none_or(|t| newest - t <= STILL_RUNNING),
            _ => true,
        };
        while let Some(front) = self.queue.front() {
            if hold_back && !front.done && still_running(front) {
                held += 1;
                self.queue.pop_front();
                self.front += 1;
                continue;
            }
            out.extend(self.pop());
        }
        self.open.clear();
        (out, held)
    }

    /// The front request as an event.
    fn pop(&mut self) -> Option<(usize, Record)> {
        let slot = self.queue.pop_front()?;
        self.front += 1;
        let event = match slot.event {
            Ok(v) => {
                if !slot.done
                    && let Some(id) = &v.audit_id
                {
                    self.open.remove(id);
                }
                map_event(&v, &mut self.states, &mut self.lookup)
            }
            Err(why) => Err(why),
        };
        Some((
            slot.file,
            Record {
                line: slot.line,
                event,
            },
        ))
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A raw object, parsed; `None` unless it is a JSON object.
fn object(raw: &Option<Box<RawValue>>) -> Option<Value> {
    let v: Value = serde_json::from_str(raw.as_ref()?.get()).ok()?;
    v.is_object().then_some(v)
}

/// One audit event as an auditctl event (docs/SPEC.md §8.3); `states` holds each object's last
/// known state, keyed by (table, resource_id).
fn map_event(
    v: &AuditEvent,
    states: &mut HashMap<(String, String), Value>,
    lookup: &mut dyn FnMut(&(String, String)) -> Option<Value>,
) -> Result<Event, String> {
    let id = text(&v.audit_id).ok_or("auditID is missing")?;
    let time = text(&v.stage_timestamp)
        .or_else(|| text(&v.request_received_timestamp))
        .ok_or("stageTimestamp and requestReceivedTimestamp are missing")?;
    let time = super::parse_time(&time).map_err(|e| format!("stageTimestamp: {e}"))?;
    let verb = text(&v.verb).ok_or("verb is missing")?;
    let user = text(&v.user.username).ok_or("user.username is missing")?;
    let user_type = if user.starts_with("system:serviceaccount:") {
        "automation"
    } else if user.starts_with("system:") {
        "system"
    } else {
        "user"
    };
    // A session into a pod is what it is, not a create of the subresource.
    let session = v
        .object_ref
        .subresource
        .as_deref()
        .filter(|s| matches!(*s, "exec" | "attach" | "portforward" | "proxy"));
    let action = match verb.as_str() {
        _ if session.is_some() => session.unwrap_or_default().to_ascii_uppercase(),
        "create" => "CREATE".to_owned(),
        "update" | "patch" => "UPDATE".to_owned(),
        "delete" | "deletecollection" => "DELETE".to_owned(),
        "get" | "list" | "watch" => "READ".to_owned(),
        other => other.to_ascii_uppercase(),
    };
    let obj = &v.object_ref;
    let table = text(&obj.resource).map(|r| match text(&obj.subresource) {
        Some(sub) => format!("{r}/{sub}"),
        None => r,
    });
    let code = v.response_status.code;
    let outcome = if code.is_some_and(|c| c >= 400) {
        "failure"
    } else {
        "success"
    };
    let changes = session.is_none() && matches!(verb.as_str(), "create" | "update" | "patch");
    let mut after = if changes && outcome == "success" {
        object(&v.response_object).or_else(|| object(&v.request_object))
    } else {
        None
    };
    if table.as_deref() == Some("secrets")
        && let Some(secret) = &mut after
    {
        hide_secret_values(secret);
    }
    // A create with `generateName` has its name only in the response.
    let name_in = |o: &Value| o["metadata"]["name"].as_str().map(str::to_owned);
    let name = text(&obj.name)
        .or_else(|| after.as_ref().and_then(name_in))
        .or_else(|| object(&v.response_object).as_ref().and_then(name_in));
    let resource_id = match (text(&obj.namespace), &name) {
        (Some(ns), Some(n)) => Some(format!("{ns}/{n}")),
        (None, Some(n)) => Some(n.clone()),
        _ => None,
    };
    let key = table.clone().zip(resource_id.clone());
    // A change whose new state the log does not show (Metadata level, a patch body only)
    // has no data: a before alone would read as a delete.
    let unknown_change = changes && after.is_none();
    let before = match action.as_str() {
        "CREATE" | "READ" => None,
        _ if outcome == "failure" || unknown_change => None,
        _ => key
            .as_ref()
            .and_then(|k| states.get(k).cloned().or_else(|| lookup(k))),
    };
    if let Some(k) = key
        && outcome == "success"
    {
        match &after {
            _ if action == "DELETE" => {
                states.remove(&k);
            }
            Some(a) => {
                states.insert(k, a.clone());
            }
            // The object changed, to what is not known: its last state is stale now.
            None if changes => {
                states.remove(&k);
            }
            None => {}
        }
    }
    // A delete records what went away; without a known state there is no data to show.
    let after = if action == "DELETE" { None } else { after };
    let mut meta = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            meta.insert(key.to_owned(), value);
        }
    };
    put("stage", v.stage.clone().map(Value::from));
    put("user_agent", v.user_agent.clone().map(Value::from));
    put("response_code", code.map(Value::from));
    put("groups", v.user.groups.clone().map(Value::from));
    put("annotations", v.annotations.clone().map(Value::Object));
    put("level", v.level.clone().map(Value::from));
    let message = [Some(verb.clone()), table.clone(), resource_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut event = Event::new(id, time, user, action);
    event.user_type = Some(user_type.into());
    event.ip = v.source_ips.first().cloned();
    event.operation = Some(verb);
    event.service = Some(SERVICE.into());
    event.table = table;
    event.resource_id = resource_id;
    event.message = message;
    event.outcome = outcome.into();
    event.before = before;
    event.after = after;
    event.meta = meta;
    event.normalize().map_err(|e| e.to_string())?;
    Ok(event)
}

/// What a Kubernetes Secret's values are imported as: never the values (a log at the
/// RequestResponse level holds them, base64 is no protection), so that no reader of the store
/// sees them, whatever their scope; which keys a Secret has is kept.
pub const SECRET_VALUE: &str = "[Secret value, not imported]";

/// Replaces the values of a Secret's `data` and `stringData`, and the last-applied annotation
/// that repeats them, with `SECRET_VALUE`.
fn hide_secret_values(secret: &mut Value) {
    for field in ["data", "stringData"] {
        if let Some(values) = secret.get_mut(field).and_then(Value::as_object_mut) {
            for v in values.values_mut() {
                *v = Value::String(SECRET_VALUE.into());
            }
        }
    }
    if let Some(applied) = secret
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        .and_then(|notes| notes.get_mut(LAST_APPLIED))
    {
        *applied = Value::String(SECRET_VALUE.into());
    }
}

/// The service name the mapping gives every Kubernetes event.
pub const SERVICE: &str = "kubernetes";

/// Metadata the API server sets on an object, which a manifest to re-apply must leave out
/// (`kubectl apply` refuses a stale resourceVersion, and the rest is not the user's to set).
const SERVER_SET_METADATA: [&str; 8] = [
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "managedFields",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// What the API server and kubectl write on every change besides what the user asked for
/// (server-set metadata, the status, the last-applied annotation): a revert neither sets it
/// back nor counts it as a conflict.
pub fn volatile_paths() -> Vec<crate::query::Path> {
    use crate::query::{Path, Segment::Key};
    let mut paths: Vec<Path> = SERVER_SET_METADATA
        .iter()
        .map(|k| Path(vec![Key("metadata".into()), Key((*k).into())]))
        .collect();
    paths.push(Path(vec![Key("status".into())]));
    // The key has dots in it: a path made of segments, not parsed from text.
    paths.push(Path(vec![
        Key("metadata".into()),
        Key("annotations".into()),
        Key(LAST_APPLIED.into()),
    ]));
    paths
}

/// The annotation `kubectl apply` keeps its last input in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// An object as a manifest to re-apply: without server-set metadata, the last-applied
/// annotation (kubectl writes a new one) or the status.
pub fn manifest(object: &Value) -> Value {
    let mut m = object.clone();
    if let Some(obj) = m.as_object_mut() {
        obj.remove("status");
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in SERVER_SET_METADATA {
                meta.remove(key);
            }
            if let Some(notes) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                notes.remove(LAST_APPLIED);
                if notes.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn manifests_leave_out_what_the_server_set() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "prod", "uid": "u", "resourceVersion": "9",
                "creationTimestamp": "2026-11-20T10:00:00Z", "managedFields": [{}], "generation": 2,
                "labels": {"team": "a"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "data": {"mode": "fast"}, "status": {}});
        assert_eq!(
            manifest(&object),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "app", "namespace": "prod", "labels": {"team": "a"}},
                "data": {"mode": "fast"}})
        );
        assert_eq!(manifest(&json!("text")), json!("text"));
    }

    fn line(stage: &str, id: &str, verb: &str, name: &str, after: Value, code: u64) -> String {
        json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
            "auditID": id, "stage": stage, "verb": verb,
            "user": {"username": "alice", "groups": ["dev"]}, "sourceIPs": ["10.0.0.9"],
            "objectRef": {"resource": "configmaps", "namespace": "default", "name": name},
            "responseStatus": {"code": code}, "responseObject": after,
            "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z",
            "stageTimestamp": "2026-11-20T10:00:01.000000Z",
        })
        .to_string()
    }

    #[test]
    fn stages_merge_and_states_carry_over() {
        let text = [
            line("RequestReceived", "a", "create", "cm", Value::Null, 0),
            line(
                "ResponseComplete",
                "a",
                "create",
                "cm",
                json!({"data": {"k": "1"}}),
                201,
            ),
            line(
                "ResponseComplete",
                "b",
                "patch",
                "cm",
                json!({"data": {"k": "2"}}),
                200,
            ),
            line(
                "ResponseComplete",
                "c",
                "delete",
                "cm",
                json!({"status": "Success"}),
                200,
            ),
            line("ResponseComplete", "d", "get", "other", Value::Null, 404),
        ]
        .join("\n");
        assert!(is_event_line(text.lines().next().unwrap().as_bytes()));
        let recs: Vec<Record> = records(text.as_bytes()).collect();
        let events: Vec<Event> = recs.into_iter().map(|r| r.event.unwrap()).collect();
        assert_eq!(events.len(), 4, "two stages of a are one event");
        assert_eq!(events[0].action, "CREATE");
        assert_eq!(events[0].after, Some(json!({"data": {"k": "1"}})));
        assert_eq!(events[0].resource_id.as_deref(), Some("default/cm"));
        assert_eq!(events[0].meta["stage"], "ResponseComplete");
        assert_eq!(events[1].action, "UPDATE");
        assert_eq!(events[1].before, Some(json!({"data": {"k": "1"}})));
        assert_eq!(events[2].action, "DELETE");
        assert_eq!(events[2].before, Some(json!({"data": {"k": "2"}})));
        assert_eq!(events[2].after, None);
        assert_eq!(
            (events[3].action.as_str(), events[3].outcome.as_str()),
            ("READ", "failure")
        );
        assert_eq!(events[3].message, "get configmaps default/other");
    }
}
