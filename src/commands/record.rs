//! `record`: append one event from flags.

use std::io::Read;

use anyhow::Context as _;
use serde_json::{Map, Value};

use super::Context;
use crate::error::Failure;
use crate::model::Event;
use crate::timespec;

/// Append one event from flags
///
/// Prints the new event's seq and id. --before and --after take JSON text, @FILE or @- (stdin);
/// a value that is not JSON is kept as a text string (an XML document, a config file).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  auditctl record --user alice --action UPDATE --table accounts --resource-id 42 \\\n      --before '{\"plan\":\"basic\"}' --after '{\"plan\":\"pro\"}' --message 'Upgraded plan'"
)]
pub struct Args {
    /// Who did it [default: $AUDITCTL_USER, else the login name]
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Kind of user: user, api_token, system, portal or automation
    #[arg(long, value_name = "TYPE")]
    pub user_type: Option<String>,
    /// What was done (CREATE, UPDATE, DELETE, LOGIN, …)
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// Resource type or table
    #[arg(long, value_name = "TABLE")]
    pub table: Option<String>,
    /// Primary key of the record
    #[arg(long, visible_alias = "pk", value_name = "ID")]
    pub resource_id: Option<String>,
    /// Human description
    #[arg(long, short = 'm', value_name = "TEXT", default_value = "")]
    pub message: String,
    /// Client IP address
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// Emitting service
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Channel: Control Panel, Portal, API, …
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// System-specific operation name
    #[arg(long, value_name = "NAME")]
    pub operation: Option<String>,
    /// success or failure
    #[arg(long, value_name = "OUTCOME", default_value = "success")]
    pub outcome: String,
    /// Extra attribute KEY=VALUE (repeatable)
    #[arg(long, value_name = "KEY=VALUE")]
    pub meta: Vec<String>,
    /// The record before the change: JSON, @FILE or @-
    #[arg(long, value_name = "DATA", allow_hyphen_values = true)]
    pub before: Option<String>,
    /// The record after the change: JSON, @FILE or @-
    #[arg(long, value_name = "DATA", allow_hyphen_values = true)]
    pub after: Option<String>,
    /// Event id [default: a new UUIDv7]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// When it happened [default: now]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub time: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if args.before.as_deref() == Some("@-") && args.after.as_deref() == Some("@-") {
        return Err(Failure::usage("--before and --after cannot both read stdin").into());
    }
    let user = match args.user {
        Some(u) => u,
        None => crate::config::default_user().ok_or_else(|| {
            Failure::usage("no user given").with_hint("pass --user or set AUDITCTL_USER")
        })?,
    };
    let mut meta = Map::new();
    for kv in &args.meta {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("invalid --meta {kv:?}: expected KEY=VALUE")))?;
        meta.insert(k.trim().to_owned(), Value::String(v.to_owned()));
    }
    let time = match &args.time {
        Some(t) => timespec::parse(t, ctx.now)?,
        None => ctx.now,
    };
    let mut event = Event {
        seq: None,
        id: args.id.unwrap_or_default(),
        time,
        user,
        user_type: args.user_type,
        ip: args.ip,
        action: args.action,
        operation: args.operation,
        service: args.service,
        origin: args.origin,
        table: args.table,
        resource_id: args.resource_id,
        message: args.message,
        outcome: args.outcome,
        before: args.before.as_deref().map(read_data).transpose()?,
        after: args.after.as_deref().map(read_data).transpose()?,
        reverts: None,
        meta,
    };
    event
        .normalize()
        .map_err(|e| Failure::usage(e.to_string()))?;
    if let Some((path, marker)) = crate::redact::marker_path(&event) {
        return Err(Failure::usage(format!(
            "{path} holds a {marker:?} marker, put where an export redacted a value: it is not \
             the data"
        ))
        .into());
    }
    let id = event.id.clone();
    let report = ctx
        .open_store_for_append()?
        .append()?
        .append(&mut std::iter::once(Ok(event)))?;
    match report.first_seq {
        Some(seq) => println!("{seq} {}", crate::render::visible(&id, false)),
        None => {
            return Err(Failure::runtime(format!(
                "an event with id {id:?} is already in the store"
            ))
            .into());
        }
    }
    Ok(())
}

/// JSON text, `@FILE` or `@-`; text that is not JSON is kept as a string.
fn read_data(arg: &str) -> anyhow::Result<Value> {
    let text = match arg.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read stdin")?;
            s
        }
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?
        }
        None => arg.to_owned(),
    };
    match serde_json::from_str(&text) {
        Ok(v) => Ok(v),
        // JSON too deep to read is still JSON: kept as text it would pass for a document.
        Err(e) if e.to_string().contains("recursion limit") => Err(Failure::usage(format!(
            "{arg}: JSON nested more than 128 levels deep is not taken"
        ))
        .into()),
        Err(_) => Ok(Value::String(text)),
    }
}
