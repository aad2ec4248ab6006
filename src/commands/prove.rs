//! `prove ID`: the inclusion proof of one event against the latest checkpoint, as JSON that
//! `verify --proof` checks with no store at all.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::error::Failure;
use crate::integrity::{merkle, note};
use crate::store::Integrity;

/// Print the inclusion proof of one event against the latest checkpoint, as JSON
///
/// The proof carries the event's stored bytes, its leaf hash, the audit path and the
/// checkpoint note, so an auditor can check it offline with `verify --proof FILE
/// --checkpoint CP`, without the log.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl checkpoint --key audit.key > cp.txt\n  auditctl prove 4211 > proof.json\n  auditctl verify --proof proof.json --checkpoint cp.txt --pub audit.key.pub"
)]
pub struct Args {
    /// The event: a seq, an id, or a unique id prefix
    #[arg(value_name = "ID")]
    pub id: String,
    /// Prove against this checkpoint (one the auditor kept) instead of the latest one
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<std::path::PathBuf>,
}

/// An inclusion proof as JSON: everything needed to check it offline.
#[derive(Debug, Serialize, Deserialize)]
pub struct Proof {
    pub origin: String,
    pub seq: u64,
    pub id: String,
    /// The event's canonical entry text: the bytes the leaf hashes.
    pub entry: String,
    pub leaf_hash: String,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub root: String,
    /// The audit path, base64, leaf to root.
    pub inclusion_proof: Vec<String>,
    /// The checkpoint note the proof was made against.
    pub checkpoint: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let mut backend = ctx.open_store()?;
    let event = backend.get(&args.id)?;
    let log = backend.integrity()?;
    let seq = event.seq.unwrap_or_default();
    let (note_text, cp) = match &args.checkpoint {
        Some(path) => against(log, path)?,
        None => {
            let text = log.latest_checkpoint()?.ok_or_else(|| {
                Failure::runtime(format!(
                    "{} has no checkpoint to prove against",
                    ctx.location().map_or(String::new(), |l| l.display())
                ))
                .with_hint("run `auditctl checkpoint` first")
            })?;
            let cp = note::parse(&text).map_err(|e| {
                Failure::integrity(format!("the latest checkpoint does not parse: {e}"))
            })?;
            (text, cp.checkpoint)
        }
    };
    if seq > cp.size {
        return Err(Failure::runtime(format!(
            "event {seq} is newer than the checkpoint (size {})",
            cp.size
        ))
        .with_hint("run `auditctl checkpoint` to cover it")
        .into());
    }
    let entry = log.entry_text(seq)?;
    if !ctx.global.reveal && ctx.redactor.may_touch_entry(&entry) {
        return Err(Failure::usage(format!(
            "event {seq} holds sensitive values, and a proof carries the event's exact bytes"
        ))
        .with_hint("pass --reveal to print the proof with them (with --remote, a token with view_sensitive)")
        .into());
    }
    let path = log.inclusion_proof(seq, cp.size)?;
    let proof = Proof {
        origin: cp.origin.clone(),
        seq,
        id: event.id,
        leaf_hash: B64.encode(merkle::leaf_hash(entry.as_bytes())),
        entry,
        leaf_index: seq - 1,
        tree_size: cp.size,
        root: B64.encode(cp.root),
        inclusion_proof: path.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: note_text,
    };
    // A reader that stops early (`| head`) is not an error (error.rs).
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&proof)?)?;
    Ok(())
}

/// A checkpoint kept elsewhere, as the proof's target: the log must extend it (a consistency
/// proof from it to the latest checkpoint).
fn against(
    log: &dyn Integrity,
    path: &std::path::Path,
) -> anyhow::Result<(String, note::Checkpoint)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", path.display())))?;
    let kept = note::parse(&text)
        .map_err(|e| Failure::usage(format!("{}: not a checkpoint: {e}", path.display())))?
        .checkpoint;
    let latest = log
        .latest_checkpoint()?
        .and_then(|t| note::parse(&t).ok())
        .map(|n| n.checkpoint);
    let extends = match &latest {
        Some(l) if l.origin == kept.origin && l.size >= kept.size => {
            l.size == kept.size && l.root == kept.root
                || l.size > kept.size
                    && merkle::verify_consistency(
                        kept.size,
                        l.size,
                        &kept.root,
                        &l.root,
                        &log.consistency_proof(kept.size, l.size)?,
                    )
        }
        _ => false,
    };
    if !extends {
        return Err(Failure::integrity(format!(
            "{} does not describe this log at size {}: run `auditctl verify --checkpoint`",
            path.display(),
            kept.size
        ))
        .into());
    }
    Ok((text, kept))
}
