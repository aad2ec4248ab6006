//! `revert ID`: undo one event's change by appending a compensating event (docs/SPEC.md §5).

use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Context, diff::record, diff::title};
use crate::api;
use crate::error::{Failure, exit};
use crate::import::k8s;
use crate::model::Event;
use crate::render::{diff as render_diff, visible};
use crate::store::revert::{Refusal, refusal_hint};

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
    refused_as(&r.to_api())
}

/// Back-end errors stay as they are; a refusal becomes exit 4.
fn as_refusal(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<Refusal>() {
        Ok(r) => refused(r),
        Err(e) => e,
    }
}

/// A refusal from a plan (the local store's or a server's, in the same words).
fn refused_as(r: &api::Refused) -> anyhow::Error {
    let failure = Failure::new(exit::REVERT_REFUSED, r.detail.clone());
    match refusal_hint(&r.code) {
        Some(hint) => failure.with_hint(hint).into(),
        None => failure.into(),
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let mut backend = ctx.open_store()?;
    let target = backend.get(&args.id)?;
    let reverter = backend.revert()?;
    // Asked first: a server refuses a token without the revert scope before any plan.
    let default = reverter.reverter()?;
    let user = args.as_user.clone().unwrap_or(default);
    // The event is named by its seq from here on: an id is free text, and one made of digits
    // ("564") would read as another event's seq.
    let key = target
        .seq
        .map_or_else(|| target.id.clone(), |s| s.to_string());
    let (plan, etag) = reverter.revert_plan(&key).map_err(as_refusal)?;
    if plan.event_id != target.id {
        return Err(Failure::integrity(format!(
            "asked to plan the revert of event {} ({}), the store planned {} ({})",
            key,
            crate::render::visible(&target.id, false),
            plan.seq,
            crate::render::visible(&plan.event_id, false)
        ))
        .into());
    }
    let mut out = std::io::stdout().lock();
    write_plan(
        &mut out,
        &ctx.style,
        ctx.output_redactor(),
        &target,
        &plan,
        args.exec.as_deref(),
        &user,
    )?;
    out.flush()?;
    drop(out);
    let refusal = if args.force {
        &plan.refusal_forced
    } else {
        &plan.refusal
    };
    if let Some(r) = refusal {
        return Err(refused_as(r));
    }
    if args.dry_run {
        return Ok(());
    }
    confirm(args.yes)?;
    let request = api::RevertRequest {
        reason: args.reason.clone(),
        force: args.force,
        user: args.as_user.clone(),
    };
    let mut exec = args
        .exec
        .as_deref()
        .map(|cmd| move |event: &mut Event| run_exec(cmd, event));
    let gate = exec.as_mut().map(|f| f as crate::store::Gate<'_>);
    let event = reverter
        .revert(&key, &etag, &request, gate)
        .map_err(as_refusal)?;
    println!(
        "reverted event {}: appended event {} ({} {})",
        plan.seq,
        event.seq.unwrap_or_default(),
        event.action,
        record(&event)
    );
    Ok(())
}

/// Writes the plan: which event, which paths, and the diff of current → restored state, with
/// sensitive values hidden by `redactor` (the browser shows the same plan).
pub fn write_plan(
    out: &mut dyn Write,
    style: &crate::render::Style,
    redactor: Option<&crate::redact::Redactor>,
    target: &Event,
    plan: &api::RevertPlan,
    exec: Option<&str>,
    user: &str,
) -> anyhow::Result<()> {
    let heading = format!("revert {}", title(target, style));
    writeln!(out, "{}", render_diff::paint(style, "\x1b[1m", &heading))?;
    // Continuation lines are indented under the first, so a message cannot pass off lines of
    // its own as lines of the plan.
    writeln!(
        out,
        "message:  {}",
        visible(&target.message, true).replace('\n', "\n          ")
    )?;
    let paths: Vec<std::borrow::Cow<str>> = plan
        .set
        .iter()
        .map(|p| {
            if p.path.is_empty() {
                "the whole record".into()
            } else {
                visible(&p.path, false)
            }
        })
        .collect();
    writeln!(out, "restores: {}", paths.join(", "))?;
    writeln!(
        out,
        "appends:  {} {} as {}",
        plan.operation.to_ascii_uppercase(),
        record(target),
        visible(user, false)
    )?;
    if let Some(cmd) = exec {
        writeln!(
            out,
            "runs:     sh -c {cmd:?}, appending only if it succeeds"
        )?;
    }
    let (mut current, mut restored) = (plan.current.clone(), plan.restored.clone());
    if let Some(r) = redactor {
        r.redact_pair(current.as_mut(), restored.as_mut());
    }
    render_diff::write_unified(
        out,
        current.as_ref(),
        restored.as_ref(),
        (
            &format!("current (after event {})", plan.current_seq),
            "restored",
        ),
        render_diff::DEFAULT_CONTEXT,
        style,
    )?;
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
