//! `prove ID`: the inclusion proof of one event against the latest checkpoint, as JSON that
//! `verify --proof` checks with no store at all.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::error::Failure;
use crate::integrity::{merkle, note};
use crate::store::Store;
use crate::store::sqlite::SqliteStore;
use crate::store::tree::RecordedCheckpoint;

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
    if let Some((url, token)) = ctx.remote()? {
        return prove_remote(ctx, &args, &crate::remote::RemoteStore::new(&url, token)?);
    }
    let store = ctx.location()?.sqlite()?;
    let event = store.get(&args.id)?;
    let seq = event.seq.unwrap_or_default();
    let latest = match &args.checkpoint {
        Some(path) => against(&store, path)?,
        None => store.checkpoints()?.pop().ok_or_else(|| {
            Failure::runtime("the store has no checkpoint to prove against")
                .with_hint("run `auditctl checkpoint` first")
        })?,
    };
    if seq > latest.size {
        return Err(Failure::runtime(format!(
            "event {seq} is newer than the latest checkpoint (size {})",
            latest.size
        ))
        .with_hint("run `auditctl checkpoint` to cover it")
        .into());
    }
    let entry = store.entry_text(seq)?;
    if !ctx.global.reveal && ctx.redactor.may_touch_entry(&entry) {
        return Err(Failure::usage(format!(
            "event {seq} holds sensitive values, and a proof carries the event's exact bytes"
        ))
        .with_hint("pass --reveal to print the proof with them")
        .into());
    }
    let path = merkle::inclusion_proof(&store.nodes(), seq - 1, latest.size)?;
    let proof = Proof {
        origin: store.origin()?,
        seq,
        id: event.id,
        leaf_hash: B64.encode(merkle::leaf_hash(entry.as_bytes())),
        entry,
        leaf_index: seq - 1,
        tree_size: latest.size,
        root: B64.encode(&latest.root),
        inclusion_proof: path.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: latest.note,
    };
    println!("{}", serde_json::to_string_pretty(&proof)?);
    Ok(())
}

/// A checkpoint kept elsewhere, as the proof's target: the store's tree must have its root at
/// its size.
fn against(store: &SqliteStore, path: &std::path::Path) -> anyhow::Result<RecordedCheckpoint> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", path.display())))?;
    let note = note::parse(&text)
        .map_err(|e| Failure::usage(format!("{}: not a checkpoint: {e}", path.display())))?;
    let size = note.checkpoint.size;
    let ours = (size <= store.tree_size()?)
        .then(|| merkle::root(&store.nodes(), size))
        .transpose()?;
    if ours != Some(note.checkpoint.root) {
        return Err(Failure::integrity(format!(
            "{} does not describe this store at size {size}: run `auditctl verify --checkpoint`",
            path.display()
        ))
        .into());
    }
    Ok(RecordedCheckpoint {
        id: 0,
        size,
        root: note.checkpoint.root.to_vec(),
        note: text,
    })
}

/// The same proof from a server: its latest checkpoint, the event's stored bytes (a token
/// with `view_sensitive` gets them exactly) and the audit path it sends.
fn prove_remote(
    ctx: &Context,
    args: &Args,
    remote: &crate::remote::RemoteStore,
) -> anyhow::Result<()> {
    if args.checkpoint.is_some() {
        return Err(Failure::usage("--checkpoint is not available with --remote yet").into());
    }
    remote.verify_history()?;
    let note_text = remote
        .checkpoint()?
        .ok_or_else(|| Failure::runtime("the server has no checkpoint to prove against"))?;
    let cp = note::parse(&note_text)
        .map_err(|e| Failure::runtime(format!("the server's checkpoint does not parse: {e}")))?;
    let event = remote.get(&args.id)?;
    let seq = event.seq.unwrap_or_default();
    if seq > cp.checkpoint.size {
        return Err(Failure::runtime(format!(
            "event {seq} is newer than the server's latest checkpoint (size {})",
            cp.checkpoint.size
        ))
        .into());
    }
    let entry = String::from_utf8(event.canonical_bytes())?;
    if !ctx.global.reveal && ctx.redactor.may_touch_entry(&entry) {
        return Err(Failure::usage(format!(
            "event {seq} holds sensitive values, and a proof carries the event's exact bytes"
        ))
        .with_hint("pass --reveal (and use a token with view_sensitive)")
        .into());
    }
    let path = remote.inclusion_proof(seq, cp.checkpoint.size)?;
    let proof = Proof {
        origin: cp.checkpoint.origin.clone(),
        seq,
        id: event.id,
        leaf_hash: B64.encode(merkle::leaf_hash(entry.as_bytes())),
        entry,
        leaf_index: seq - 1,
        tree_size: cp.checkpoint.size,
        root: B64.encode(cp.checkpoint.root),
        inclusion_proof: path,
        checkpoint: note_text,
    };
    println!("{}", serde_json::to_string_pretty(&proof)?);
    Ok(())
}
