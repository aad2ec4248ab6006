//! `verify`: check that the store was not edited, or check one inclusion proof offline.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::Context;
use super::prove::Proof;
use crate::error::Failure;
use crate::integrity::merkle::{self, Hash};
use crate::integrity::note::{self, SignedCheckpoint, VerifierKey};
use crate::integrity::verify::Options;

/// Check that the log was not edited: every leaf, checkpoint, signature, index and trigger
///
/// Recomputes every leaf hash from the stored bytes, checks that seqs have no gaps, that each
/// recorded checkpoint's root matches the entries and is consistent with the one before, that
/// the schema (append-only triggers included) is the one auditctl creates, that every page
/// and index of the database is sound and agrees with the entries (SQLite's integrity check),
/// and that the search index holds exactly the entries' terms. Exits 3 naming the first bad
/// seq. --quick leaves out the page, index and search index checks.
/// With --proof, checks an inclusion proof from `prove` offline, without a store.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl verify\n  auditctl verify --pub audit.key.pub --checkpoint /mnt/offsite/checkpoint.txt\n  auditctl verify --proof proof.json --checkpoint cp.txt --pub audit.key.pub"
)]
pub struct Args {
    /// Require every checkpoint to be signed by this public key (FILE.pub of --new-key)
    #[arg(long = "pub", value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// A checkpoint kept elsewhere (- for stdin): the store must extend it
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Check this inclusion proof (from `prove`) instead of the store
    #[arg(long, value_name = "FILE")]
    pub proof: Option<PathBuf>,
    /// Check the log only, not the database under it (pages, indexes, the search index)
    #[arg(long)]
    pub quick: bool,
}

/// Reads a file, or stdin for `-`.
fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::runtime(format!("cannot read the {what} from stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| {
        Failure::runtime(format!("cannot read the {what} {}: {e}", path.display())).into()
    })
}

fn read_checkpoint(path: &Path) -> anyhow::Result<SignedCheckpoint> {
    note::parse(&read(path, "checkpoint")?)
        .map_err(|e| Failure::usage(format!("{}: not a checkpoint: {e}", path.display())).into())
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let key = match &args.public_key {
        Some(p) => Some(
            VerifierKey::parse(&read(p, "public key")?)
                .map_err(|e| Failure::usage(format!("{}: not a public key: {e}", p.display())))?,
        ),
        None => None,
    };
    let external = args
        .checkpoint
        .as_deref()
        .map(read_checkpoint)
        .transpose()?;
    if let Some(proof) = &args.proof {
        return verify_proof(proof, external.as_ref(), key.as_ref());
    }
    damaged_is_integrity(verify(ctx, external.as_ref(), key.as_ref(), args.quick))
}

/// A store file SQLite cannot read as a database (truncated, overwritten) fails integrity.
fn damaged_is_integrity(result: anyhow::Result<()>) -> anyhow::Result<()> {
    result.map_err(|err| {
        let damaged = err.chain().any(|c| {
            matches!(
                c.downcast_ref::<rusqlite::Error>(),
                Some(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            )
        });
        if damaged {
            Failure::integrity(format!("the store file is damaged: {err}")).into()
        } else {
            err
        }
    })
}

/// Checks the log through its back end: the whole store where it lives, a server's history
/// from a client.
fn verify(
    ctx: &Context,
    external: Option<&SignedCheckpoint>,
    key: Option<&VerifierKey>,
    quick: bool,
) -> anyhow::Result<()> {
    let mut backend = ctx.open_store()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(backend.last_seq().unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "verifying {bar:30} {human_pos}/{human_len} events  {per_sec}  ETA {eta}",
            )
            .expect("a valid template"),
        );
        bar
    });
    let progress = |seq: u64| {
        if let Some(bar) = &bar
            && seq.is_multiple_of(1024)
        {
            bar.set_position(seq);
        }
    };
    let outcome = backend.integrity()?.verify(&Options {
        key,
        external,
        quick,
        progress: &progress,
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    println!("{}", crate::render::visible(&outcome?, false));
    Ok(())
}

fn decode_hash(text: &str, what: &str) -> anyhow::Result<Hash> {
    B64.decode(text)
        .ok()
        .and_then(|b| Hash::try_from(b).ok())
        .ok_or_else(|| {
            Failure::runtime(format!("the proof's {what} is not a base64 SHA-256 hash")).into()
        })
}

/// Checks a proof from `prove` against a checkpoint, with no store.
fn verify_proof(
    path: &Path,
    external: Option<&SignedCheckpoint>,
    key: Option<&VerifierKey>,
) -> anyhow::Result<()> {
    let proof: Proof = serde_json::from_str(&read(path, "proof")?)
        .map_err(|e| Failure::runtime(format!("{}: not an auditctl proof: {e}", path.display())))?;
    let embedded;
    let cp = match external {
        Some(cp) => cp,
        None => {
            embedded = note::parse(&proof.checkpoint).map_err(|e| {
                Failure::integrity(format!("the proof's checkpoint is unreadable: {e}"))
            })?;
            eprintln!(
                "note: checked against the checkpoint inside the proof; pass --checkpoint with one \
                 you kept to be sure"
            );
            &embedded
        }
    };
    let leaf = merkle::leaf_hash(proof.entry.as_bytes());
    // What the proof says of the event must be what its proven bytes say.
    let proven_id = serde_json::from_str::<crate::model::EntryView>(&proof.entry)
        .map(|v| v.id.into_owned())
        .map_err(|e| Failure::integrity(format!("the proof's entry is not an event: {e}")))?;
    if proven_id != proof.id {
        return Err(Failure::integrity(format!(
            "the proof names event {:?}, but its proven bytes are event {proven_id:?}",
            proof.id
        ))
        .into());
    }
    if decode_hash(&proof.leaf_hash, "leaf hash")? != leaf {
        return Err(Failure::integrity(
            "the event's bytes do not hash to the proof's leaf: the event was altered",
        )
        .into());
    }
    if cp.checkpoint.origin != proof.origin {
        return Err(Failure::integrity(format!(
            "the proof is for the log {:?}, the checkpoint for {:?}",
            proof.origin, cp.checkpoint.origin
        ))
        .into());
    }
    if cp.checkpoint.size != proof.tree_size {
        return Err(Failure::integrity(format!(
            "the proof is for a log of {} events, the checkpoint for {}",
            proof.tree_size, cp.checkpoint.size
        ))
        .with_hint("ask for a proof against this checkpoint")
        .into());
    }
    let path_hashes: Vec<Hash> = proof
        .inclusion_proof
        .iter()
        .map(|h| decode_hash(h, "audit path"))
        .collect::<anyhow::Result<_>>()?;
    if proof.leaf_index + 1 != proof.seq
        || !merkle::verify_inclusion(
            proof.leaf_index,
            cp.checkpoint.size,
            &leaf,
            &path_hashes,
            &cp.checkpoint.root,
        )
    {
        return Err(Failure::integrity(format!(
            "the proof does not show event {} in the checkpoint's tree",
            proof.seq
        ))
        .into());
    }
    let mut signed = String::new();
    if let Some(key) = key {
        match key.check(cp) {
            Some(true) => signed = format!(", signed by {}", key.name),
            Some(false) => {
                return Err(Failure::integrity(format!(
                    "the checkpoint's signature by {} is not valid: forged or altered",
                    key.name
                ))
                .into());
            }
            None => {
                return Err(Failure::integrity(format!(
                    "the checkpoint is not signed by the key {}",
                    key.name
                ))
                .into());
            }
        }
    }
    let text = format!(
        "verified: event {} ({}) is entry {} of the log {} of {} events{signed}",
        proof.seq, proof.id, proof.seq, proof.origin, cp.checkpoint.size
    );
    println!("{}", crate::render::visible(&text, false));
    Ok(())
}
