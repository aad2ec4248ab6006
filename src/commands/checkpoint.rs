//! `checkpoint`: the signed state of the store, and `checkpoint --new-key` to make a key.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Context;
use crate::error::Failure;
use crate::integrity::note::SigningKey;

/// Print a checkpoint of the store: its origin, size and Merkle root, signed with --key
///
/// The checkpoint is a C2SP tlog-checkpoint note (signed note with Ed25519). It is also
/// recorded in the store, and `verify` checks every recorded one. Keep copies elsewhere: a
/// checkpoint only protects against rewriting if the writer cannot replace it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl checkpoint --new-key audit.key\n  auditctl checkpoint --key audit.key > checkpoint-$(date +%F).txt\n  auditctl verify --checkpoint checkpoint-2026-11-01.txt --pub audit.key.pub"
)]
pub struct Args {
    /// Sign the checkpoint with this private key file
    #[arg(long, value_name = "FILE", conflicts_with = "new_key")]
    pub key: Option<PathBuf>,
    /// Write a new private key to FILE (mode 0600) and its public key to FILE.pub, and stop
    #[arg(long, value_name = "FILE")]
    pub new_key: Option<PathBuf>,
    /// The key's name (with --new-key) [default: the store's origin]
    #[arg(long, value_name = "NAME", requires = "new_key")]
    pub name: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if let Some(file) = &args.new_key {
        let name = match &args.name {
            Some(n) => n.clone(),
            None => key_name(ctx)?,
        };
        return new_key(file, &name);
    }
    let key = args.key.as_deref().map(read_key).transpose()?;
    // A store makes and records a new checkpoint; a server's latest is printed (with
    // --remote, keys sign on the server's host).
    let text = ctx.open_store()?.integrity()?.checkpoint(key.as_ref())?;
    let mut out = std::io::stdout().lock();
    // The note is signed text, kept byte for byte when it goes to a file or a pipe; on a
    // terminal its origin (a file name, a server's word) must not drive the screen.
    if std::io::IsTerminal::is_terminal(&out) {
        out.write_all(crate::render::visible(&text, true).as_bytes())?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// The name a new key gets without --name: the origin of the store's checkpoints, or the one
/// a store at the chosen path would get, so that no store is needed to make a key.
fn key_name(ctx: &Context) -> anyhow::Result<String> {
    let location = ctx.location()?;
    match location.path() {
        Some(path) if !path.exists() => Ok(crate::store::sqlite::default_origin(path)),
        _ => ctx.open_store()?.integrity()?.origin(),
    }
}

/// Reads a private key file.
pub fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::runtime(format!("cannot read the key {}: {e}", path.display())))?;
    SigningKey::parse(&text).map_err(|e| {
        Failure::usage(format!(
            "{}: not an auditctl private key: {e}",
            path.display()
        ))
        .into()
    })
}

fn new_key(file: &Path, name: &str) -> anyhow::Result<()> {
    if name.contains(['+', ' ', '\n']) || name.is_empty() {
        return Err(Failure::usage(format!(
            "a key name cannot be empty or contain '+', spaces or newlines: {name:?}"
        ))
        .into());
    }
    let public = PathBuf::from(format!("{}.pub", file.display()));
    for p in [file, public.as_path()] {
        if p.exists() {
            return Err(Failure::runtime(format!("{} already exists", p.display()))
                .with_hint("keys are never overwritten; choose another file name")
                .into());
        }
    }
    let key = SigningKey::generate(name);
    write_private(file, key.to_text().as_bytes())?;
    std::fs::write(&public, key.verifier().to_text())
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", public.display())))?;
    println!(
        "wrote the private key {} and the public key {}",
        crate::render::visible(&file.display().to_string(), false),
        crate::render::visible(&public.display().to_string(), false)
    );
    Ok(())
}

/// Creates the private key file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
