//! The audit HTTP API's wire contract (docs/REMOTE_API.md): every request and answer as a type that
//! `serve` writes and the `--remote` client reads, so the two cannot drift apart, and the
//! words a refusal travels as.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The version of the API, `/v1`.
pub const API_VERSION: u32 = 1;

/// Who a request is from on a server without tokens (loopback only), as its log and the
/// events it appends record it.
pub const OPEN_CALLER: &str = "anonymous";

/// The meta key of every event a server appends: the name of the token that appended it.
pub const RECORDED_BY: &str = "recorded_by";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "audit_log:view")]
    View,
    #[serde(rename = "audit_log:view_sensitive")]
    ViewSensitive,
    #[serde(rename = "audit_log:write")]
    Write,
    #[serde(rename = "audit_log:revert")]
    Revert,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::View,
        Scope::ViewSensitive,
        Scope::Write,
        Scope::Revert,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::View => "audit_log:view",
            Scope::ViewSensitive => "audit_log:view_sensitive",
            Scope::Write => "audit_log:write",
            Scope::Revert => "audit_log:revert",
        }
    }

    /// A scope by its full name or its short one (`view`, `view_sensitive`, `write`, `revert`).
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL
            .into_iter()
            .find(|s| s.name() == text || s.name().strip_prefix("audit_log:") == Some(text))
    }
}

/// `GET /v1`: what the server offers, and who the caller is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    pub api_version: u32,
    pub max_limit: usize,
    pub revert: bool,
    pub server: String,
    pub last_seq: u64,
    /// The token the request came with (none on a server without tokens).
    #[serde(default)]
    pub token: Option<Caller>,
}

/// A caller as the server knows it: the token's name and scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl Caller {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// `GET /v1/events` as JSON: one page. The server writes events it has rendered already
/// (`E = Box<RawValue>`); the client reads them as events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventsPage<E> {
    pub events: Vec<E>,
    pub next_cursor: Option<String>,
}

/// `POST /v1/events`: what the append did (`added`, `duplicates`, `first_seq`).
pub type Appended = crate::store::AppendReport;

/// One row of `GET /v1/stats`: the values of the fields grouped by, under their names, and how
/// many events have them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsRow {
    #[serde(flatten)]
    pub key: Map<String, Value>,
    pub count: u64,
}

/// `GET /v1/events/{id}/revert`: what reverting the event would do, with the refusal the
/// revert would meet, so a client refuses with the same words as a local revert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevertPlan {
    pub event_id: String,
    pub seq: u64,
    pub table: Option<String>,
    pub resource_id: Option<String>,
    /// `update`, `delete` (undoing a create) or `create` (undoing a delete).
    pub operation: String,
    pub set: Vec<SetPath>,
    pub conflicts: Vec<PathConflict>,
    pub already_reverted_by: Option<String>,
    /// The seq whose `after` is the record's current state.
    pub current_seq: u64,
    pub current: Option<Value>,
    pub restored: Option<Value>,
    /// Why the revert would not go ahead without `force`.
    pub refusal: Option<Refused>,
    /// Why it would not go ahead even with `force` (it would change nothing).
    pub refusal_forced: Option<Refused>,
}

/// A path a revert sets back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetPath {
    pub path: String,
    pub from: Value,
    pub to: Value,
}

/// A path later events changed since the event being reverted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathConflict {
    pub path: String,
    pub expected: Value,
    pub current: Value,
    pub changed_by: Vec<String>,
}

/// A refusal: its stable word (`already-reverted`, `revert-conflict`, `not-revertible`,
/// `precondition-failed`) and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub code: String,
    pub detail: String,
}

/// `POST /v1/events/{id}/revert`'s body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevertRequest {
    pub reason: Option<String>,
    pub force: bool,
    /// Who the revert is recorded for; the token's name by default.
    pub user: Option<String>,
}

/// `GET /v1/proof/consistency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// Base64 SHA-256 hashes.
    pub proof: Vec<String>,
}

/// `GET /v1/proof/inclusion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub seq: u64,
    pub size: u64,
    pub leaf_index: u64,
    pub leaf_hash: String,
    pub proof: Vec<String>,
}

/// Every error answer, `application/problem+json` (RFC 9457), with a stable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    pub request_id: String,
}
