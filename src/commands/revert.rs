//! `revert ID`: undo one event's change by appending a compensating event (SPEC section 5).

use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Context, diff::record, diff::title, record::default_user};
use crate::error::{Failure, exit};
use crate::import::k8s;
use crate::model::Event;
use crate::remote::RemoteStore;
use crate::render::diff as render_diff;
use crate::store::Store;
use crate::store::revert::{Decision, Refusal, decide};

/// Undo an event's change by appending a compensating event
///
/// An update of JSON data is undone path by path: each path the event changed goes back to
/// its before value in the record's current state, and other paths keep what later events
/// set. Text data goes back as a whole; a CREATE is undone by a DELETE and a DELETE by a
/// CREATE. The plan is shown as a diff of current → restored state and confirmed on a
/// terminal (--yes elsewhere). Refused with exit 4 when a later event changed a path the
/// revert would set, or the event was already reverted; --force overrides.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl revert 4211 --dry-run\n  auditctl revert 4211 --reason \"unapproved change\"\n  auditctl revert 4211 --yes --as oncall\n  auditctl revert 4211 --exec 'kubectl apply -f -'"
)]
pub struct Args {
    /// The event to undo: a seq, an id, or a unique id prefix
    #[arg(value_name = "ID")]
    pub id: String,
    /// Append without asking (required when stdin is not a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Show the plan and whether it would be refused; append nothing
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Revert despite conflicting later changes or an earlier revert
    #[arg(long)]
    pub force: bool,
    /// Why: the message of the compensating event
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The user recorded for the revert [default: $AUDITCTL_USER, else the login name]
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Pipe the restored state as JSON to `sh -c CMD` and append only if it exits 0
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

/// A refusal as the CLI reports it: exit 4, with the hint.
fn refused(r: Refusal) -> anyhow::Error {
    let failure = Failure::new(exit::REVERT_REFUSED, r.to_string());
    match r.hint() {
        Some(hint) => failure.with_hint(hint).into(),
        None => failure.into(),
    }
}

/// Store errors stay as they are; a refusal becomes exit 4.
fn decided(result: anyhow::Result<Decision>) -> anyhow::Result<Decision> {
    result.map_err(|e| match e.downcast::<Refusal>() {
        Ok(r) => refused(r),
        Err(e) => e,
    })
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if let Some((url, token)) = ctx.remote()? {
        return run_remote(ctx, &args, &RemoteStore::new(&url, token)?);
    }
    let mut store = ctx.open_store()?;
    let user = args
        .as_user
        .clone()
        .or_else(default_user)
        .unwrap_or_else(|| "unknown".to_owned());
    let shown = decided(decide(store.as_ref(), &args.id))?;
    print_plan(ctx, &Shown::of(ctx, &shown), args.exec.as_deref(), &user)?;
    if let Some(r) = shown.refusal(args.force) {
        return Err(refused(r));
    }
    if args.dry_run {
        return Ok(());
    }
    confirm(args.yes)?;
    let target_id = shown.target.id.clone();
    let seq = store.append_checked(&mut |s| {
        let now = decided(decide(s, &target_id))?;
        if now != shown {
            return Err(refused(Refusal::Changed));
        }
        let event = now.compensating_event(ctx.now, &user, args.reason.as_deref());
        if let Some(cmd) = &args.exec {
            run_exec(cmd, &event)?;
        }
        Ok(event)
    })?;
    println!(
        "reverted event {}: appended event {seq} ({} {})",
        shown.target.seq.unwrap_or_default(),
        shown.plan.action,
        record(&shown.target)
    );
    Ok(())
}

/// A plan as shown to the user, from a local decision or a server's plan.
struct Shown {
    title: String,
    message: String,
    paths: Vec<String>,
    action: String,
    record: String,
    current_seq: u64,
    current: Option<Value>,
    restored: Option<Value>,
}

impl Shown {
    fn of(ctx: &Context, d: &Decision) -> Shown {
        Shown {
            title: title(&d.target, ctx),
            message: d.target.message.clone(),
            paths: d.plan.paths.iter().map(|p| p.to_string()).collect(),
            action: d.plan.action.to_owned(),
            record: record(&d.target),
            current_seq: d.current_seq,
            current: d.plan.current.clone(),
            restored: d.plan.restored.clone(),
        }
    }
}

/// Shows the plan: which event, which paths, and the diff of current → restored state.
fn print_plan(ctx: &Context, p: &Shown, exec: Option<&str>, user: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let style = &ctx.style;
    let title = format!("revert {}", p.title);
    writeln!(out, "{}", render_diff::paint(style, "\x1b[1m", &title))?;
    writeln!(out, "message:  {}", p.message)?;
    let paths: Vec<&str> = p
        .paths
        .iter()
        .map(|p| {
            if p.is_empty() {
                "the whole record"
            } else {
                p.as_str()
            }
        })
        .collect();
    writeln!(out, "restores: {}", paths.join(", "))?;
    writeln!(out, "appends:  {} {} as {user}", p.action, p.record)?;
    if let Some(cmd) = exec {
        writeln!(
            out,
            "runs:     sh -c {cmd:?}, appending only if it succeeds"
        )?;
    }
    let (mut current, mut restored) = (p.current.clone(), p.restored.clone());
    if !ctx.global.reveal {
        ctx.redactor
            .redact_pair(current.as_mut(), restored.as_mut());
    }
    render_diff::write_unified(
        &mut out,
        current.as_ref(),
        restored.as_ref(),
        (
            &format!("current (after event {})", p.current_seq),
            "restored",
        ),
        render_diff::DEFAULT_CONTEXT,
        style,
    )?;
    out.flush()?;
    Ok(())
}

/// A revert through the server: its plan (with an ETag), shown and confirmed here, then
/// performed there with `If-Match`, so a record that changed meanwhile is refused (412).
fn run_remote(ctx: &Context, args: &Args, remote: &RemoteStore) -> anyhow::Result<()> {
    if args.exec.is_some() {
        return Err(Failure::usage(
            "--exec is not available with --remote: the server appends, so the command could \
             not gate it",
        )
        .into());
    }
    let user = args
        .as_user
        .clone()
        .or_else(default_user)
        .unwrap_or_else(|| "unknown".to_owned());
    let target = Store::get(remote, &args.id)?;
    let (plan, etag) = remote.revert_plan(&target.id)?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let shown = Shown {
        title: title(&target, ctx),
        message: target.message.clone(),
        paths: plan["set"]
            .as_array()
            .map(|set| set.iter().filter_map(|s| text(&s["path"])).collect())
            .unwrap_or_default(),
        action: plan["operation"]
            .as_str()
            .unwrap_or("")
            .to_ascii_uppercase(),
        record: record(&target),
        current_seq: plan["current_seq"].as_u64().unwrap_or(0),
        current: Some(plan["current"].clone()).filter(|v| !v.is_null()),
        restored: Some(plan["restored"].clone()).filter(|v| !v.is_null()),
    };
    print_plan(ctx, &shown, None, &user)?;
    let seq = target.seq.unwrap_or_default();
    if !args.force {
        if let Some(by) = text(&plan["already_reverted_by"]) {
            return Err(refused(Refusal::Conflict(format!(
                "event {seq} was already reverted by event {by}"
            ))));
        }
        if let Some(conflicts) = plan["conflicts"].as_array().filter(|c| !c.is_empty()) {
            let mut message =
                format!("later events changed what reverting event {seq} would restore:");
            for c in conflicts {
                message.push_str(&format!(
                    "\n  {}: changed by {}",
                    text(&c["path"])
                        .filter(|p| !p.is_empty())
                        .unwrap_or("the whole record".into()),
                    c["changed_by"]
                ));
            }
            return Err(refused(Refusal::Conflict(message)));
        }
    }
    if shown.current == shown.restored {
        return Err(refused(Refusal::NoChange(seq)));
    }
    if args.dry_run {
        return Ok(());
    }
    confirm(args.yes)?;
    let event = remote.revert(&target.id, &etag, args.reason.as_deref(), args.force, &user)?;
    println!(
        "reverted event {seq}: appended event {} ({} {})",
        event.seq.unwrap_or_default(),
        event.action,
        record(&event)
    );
    Ok(())
}

/// Asks on a terminal; elsewhere `--yes` must have been given.
fn confirm(yes: bool) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Failure::runtime(
            "not reverting without confirmation: stdin is not a terminal",
        )
        .with_hint("pass --yes to revert without asking, or --dry-run to see the plan only")
        .into());
    }
    eprint!("Append this revert? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::runtime("revert cancelled; nothing was appended").into())
    }
}

/// What `--exec` reads: the restored state as JSON. For a Kubernetes object it is a manifest
/// to re-apply (`kubectl apply -f -`), without the metadata the API server sets; a revert
/// that deletes the object gets the object being deleted, for `kubectl delete -f -`.
fn exec_input(event: &Event) -> Value {
    if event.service.as_deref() == Some(k8s::SERVICE) {
        let object = event.after.as_ref().or(event.before.as_ref());
        return object.map_or(Value::Null, k8s::manifest);
    }
    event.after.clone().unwrap_or(Value::Null)
}

/// Pipes the restored state to `sh -c CMD`; an error unless it exits 0.
fn run_exec(cmd: &str, event: &Event) -> anyhow::Result<()> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("AUDITCTL_TABLE", event.table.as_deref().unwrap_or(""))
        .env(
            "AUDITCTL_RESOURCE_ID",
            event.resource_id.as_deref().unwrap_or(""),
        )
        .env("AUDITCTL_ACTION", &event.action)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::runtime(format!("cannot run --exec command: {e}")))?;
    let mut input = serde_json::to_vec_pretty(&exec_input(event))?;
    input.push(b'\n');
    let mut stdin = child.stdin.take().expect("stdin was piped");
    // A command that does not read its input is its own business; its exit status decides.
    match stdin.write_all(&input) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => drop(stdin),
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::runtime(format!(
            "--exec command failed ({status}); the revert was not recorded"
        ))
        .into())
    }
}
