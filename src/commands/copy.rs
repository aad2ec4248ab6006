//! `copy`: move a log between back ends (an SQLite file, a PostgreSQL database) with every
//! event's seq, id and bytes, and every checkpoint, so that the copy verifies and proves what
//! the source did.

use std::path::PathBuf;
use std::sync::mpsc;

use super::Context;
use crate::error::Failure;
use crate::integrity::merkle;
use crate::render::thousands;
use crate::store::{Location, LogStore, NewEntry, Query, seq_compare};

/// Copy a store to another, with seqs, ids, hashes and checkpoints
///
/// Copies between SQLite files and PostgreSQL databases, in either direction. The target is
/// created when absent; it must be empty, or hold the source's first events (a copy cut short,
/// or one made before the source grew): then only what follows is copied. Every checkpoint of
/// the source is recorded in the target as it was made, under the same origin, so a checkpoint
/// kept from the source verifies against the copy.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl copy --from audit.db --to 'postgres://auditctl_owner@db1.example/audit'\n  auditctl copy --from 'postgres://reader@db1.example/audit' --to backup.db"
)]
pub struct Args {
    /// The store to copy: a file or a PostgreSQL URL
    #[arg(long, value_name = "PATH|URL")]
    pub from: PathBuf,
    /// The store to copy into (created when absent)
    #[arg(long, value_name = "PATH|URL")]
    pub to: PathBuf,
}

/// Events handed from the reading thread to the writing one at a time.
const QUEUE: usize = 4096;

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let from = Location::of(&args.from)?;
    let to = Location::of(&args.to)?;
    if from == to {
        return Err(Failure::usage("--from and --to name the same store").into());
    }
    let mut source = from.open_log(false)?;
    // A source whose entries no longer hash to its leaves, tree and checkpoints would be copied
    // with new, consistent hashes and pass `verify` there: it is checked first, and nothing is
    // written unless it verifies.
    let checked = crate::integrity::verify::verify_log(
        &*source,
        &crate::integrity::verify::Options {
            key: None,
            external: None,
            quick: true,
            progress: &|_| {},
        },
        None,
    )?;
    if let Some(first) = checked.first() {
        return Err(Failure::integrity(format!(
            "{} does not verify, so nothing was copied: {first}",
            from.display()
        ))
        .with_hint(format!(
            "`auditctl --store {} verify` says more",
            from.display()
        ))
        .into());
    }
    // Made first, then told which keys this configuration keeps out of search, as any write.
    drop(to.open_log(true)?);
    to.hide_in_search(&ctx.redactor)?;
    let mut target = to.open_log(false)?;
    let source_size = source.last_seq()?;
    let held = target.last_seq()?;
    let origin = source.origin()?;
    if held == 0 {
        target.adopt_origin(&origin)?;
    } else {
        same_start(&mut *source, &mut *target, held, &from, &to)?;
    }
    // The source is read on a thread of its own while the target writes: each store is used
    // by one thread at a time.
    let search = target.search_redactor();
    let (tx, rx) = mpsc::sync_channel::<anyhow::Result<NewEntry>>(QUEUE);
    let reader = std::thread::spawn(move || {
        let query = Query::in_seq_order(seq_compare(crate::query::CmpOp::Gt, held));
        let result = source.scan_entries(&query, &mut |seq, entry| {
            Ok(tx.send(copied_entry(seq, entry, &search)).is_ok())
        });
        if let Err(e) = result {
            let _ = tx.send(Err(e));
        }
        source
    });
    let appended = target.append_entries(&mut rx.into_iter());
    let mut source = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reading the source failed"))?;
    let report = appended?;
    anyhow::ensure!(
        report.duplicates == 0,
        "{} of the source's events are in {} already at other seqs: nothing was copied",
        thousands(report.duplicates),
        to.display()
    );
    let copied = report.added;
    let size = held + copied;
    anyhow::ensure!(
        size >= source_size,
        "the copy holds {size} events, the source {source_size}"
    );
    let checkpoints = copy_checkpoints(&mut *source, &mut *target, size)?;
    eprintln!(
        "copied {} events ({} already there) and {} checkpoints from {} to {}",
        thousands(copied),
        thousands(held),
        checkpoints,
        from.display(),
        to.display()
    );
    Ok(())
}

/// The source's entry made ready for the target; its bytes must come out the same, or the
/// copy's hashes would not be the source's.
fn copied_entry(
    seq: u64,
    entry: &str,
    search: &crate::redact::Redactor,
) -> anyhow::Result<NewEntry> {
    let event: crate::model::Event = serde_json::from_str(entry)
        .map_err(|e| anyhow::anyhow!("the source's seq {seq} cannot be read: {e}"))?;
    let new = NewEntry::new(event, search)?;
    anyhow::ensure!(
        new.entry == entry,
        Failure::integrity(format!(
            "the source's seq {seq} is not in canonical form: run `auditctl verify` on it"
        ))
    );
    Ok(new)
}

/// A target that holds events must hold exactly the source's first ones.
fn same_start(
    source: &mut dyn LogStore,
    target: &mut dyn LogStore,
    held: u64,
    from: &Location,
    to: &Location,
) -> anyhow::Result<()> {
    let differs = || -> anyhow::Error {
        Failure::runtime(format!(
            "{} holds {} events that are not the first ones of {}",
            to.display(),
            thousands(held),
            from.display()
        ))
        .with_hint("copy into an empty store")
        .into()
    };
    if source.last_seq()? < held || source.origin()? != target.origin()? {
        return Err(differs());
    }
    source.extend_tree()?;
    target.extend_tree()?;
    let theirs = merkle::root(&*source.nodes(), held)?;
    let ours = merkle::root(&*target.nodes(), held)?;
    if theirs != ours {
        return Err(differs());
    }
    Ok(())
}

/// Records in the target every checkpoint of the source it does not have, after checking its
/// root against the target's own tree. Returns how many were recorded.
fn copy_checkpoints(
    source: &mut dyn LogStore,
    target: &mut dyn LogStore,
    size: u64,
) -> anyhow::Result<usize> {
    let wanted = source.checkpoints()?;
    if wanted.is_empty() {
        return Ok(0);
    }
    target.extend_tree()?;
    let have = target.checkpoints()?;
    let mut recorded = 0;
    for c in wanted {
        if have.iter().any(|h| h.note == c.note) {
            continue;
        }
        anyhow::ensure!(
            c.size <= size && merkle::root(&*target.nodes(), c.size)?[..] == c.root[..],
            Failure::integrity(format!(
                "the source's checkpoint #{} (size {}) does not match its events: run `auditctl \
                 verify` on the source",
                c.id, c.size
            ))
        );
        target.record_checkpoint(&c)?;
        recorded += 1;
    }
    Ok(recorded)
}
