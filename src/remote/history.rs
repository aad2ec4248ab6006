//! Verified reads: the client keeps, per server, the last checkpoint it verified, and holds the
//! server to it: its log must still extend that checkpoint (a consistency proof), or nothing
//! is read from it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::{RemoteStore, chain, integrity};
use crate::api;
use crate::error::Failure;
use crate::integrity::merkle::{self, Hash};
use crate::integrity::note::{self, SignedCheckpoint};

/// Where the client keeps the last checkpoint it verified for each server.
fn state_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/state")))
        .map(|d| d.join("auditctl").join("servers"))
}

impl RemoteStore {
    /// The file this client keeps the server's last verified checkpoint in: the URL made a
    /// file name, and a hash of the URL itself, so that no two servers share one (`a-b.x` and
    /// `a.b.x` read alike once punctuation is replaced).
    fn kept_file(&self) -> Option<std::path::PathBuf> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.base.as_bytes());
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        state_dir().map(|dir| dir.join(format!("{}-{hex}.checkpoint", self.legacy_name())))
    }

    /// The name an older auditctl kept the checkpoint under, read when no newer one is there.
    fn legacy_name(&self) -> String {
        self.base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    }

    fn kept(&self, file: Option<&std::path::Path>) -> anyhow::Result<Option<SignedCheckpoint>> {
        let Some(f) = file else { return Ok(None) };
        match std::fs::read_to_string(f) {
            Ok(text) => Ok(Some(note::parse(&text).map_err(|e| {
                Failure::runtime(format!(
                    "the checkpoint kept for {} in {} is unreadable: {e}",
                    self.shown,
                    f.display()
                ))
                .with_hint("delete it to trust the server's current log afresh")
            })?)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(Failure::runtime(format!(
                "cannot read the checkpoint kept for {} in {}: {e}",
                self.shown,
                f.display()
            ))
            .into()),
        }
    }

    /// Verified reads: the server's latest checkpoint must extend the last one this client
    /// verified (a consistency proof from the old size to the new), so a server cannot rewrite
    /// history unnoticed. The newer checkpoint is then kept. Again every few seconds, so that a
    /// long `--follow` is held to it too.
    ///
    /// It fails closed: once a checkpoint of this server is kept, an answer without one (404,
    /// a refusal, an error) or one that cannot be checked is exit 3, not "nothing to check";
    /// and a verified checkpoint that cannot be kept is an error.
    pub(super) fn check_history(&self) -> anyhow::Result<()> {
        if self
            .checked
            .get()
            .is_some_and(|at| at.elapsed() < super::RECHECK)
        {
            return Ok(());
        }
        self.checked.set(Some(std::time::Instant::now()));
        let file = self.kept_file();
        let mut kept = self.kept(file.as_deref())?;
        if kept.is_none()
            && let Some(dir) = state_dir()
        {
            kept = self.kept(Some(
                &dir.join(format!("{}.checkpoint", self.legacy_name())),
            ))?;
        }
        let response = self.send_any(self.get("/v1/checkpoint"))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            // A token the server does not know is the user's to fix, not a sign of a rewritten
            // log; nothing is read either way.
            return Err(self.failure(status, response));
        }
        if !status.is_success() {
            let Some(old) = &kept else {
                // No checkpoint yet, or no right to read one, and none kept: nothing to hold
                // the server to.
                return Ok(());
            };
            return Err(integrity(format!(
                "{} answered {status} for its checkpoint, but this client verified its log {:?} \
                 at {} events before: its history cannot be checked, so nothing is read from it",
                self.shown, old.checkpoint.origin, old.checkpoint.size
            )));
        }
        let text = response.text().map_err(|e| {
            integrity(format!(
                "{} broke off its checkpoint: {}",
                self.shown,
                chain(&e.without_url())
            ))
        })?;
        let new = note::parse(&text).map_err(|e| {
            integrity(format!(
                "{} sent a checkpoint that does not parse: {e}",
                self.shown
            ))
        })?;
        if let Some(old) = &kept {
            let (o, n) = (&old.checkpoint, &new.checkpoint);
            let extends = o.origin == n.origin
                && o.size <= n.size
                && (o.size == n.size && o.root == n.root
                    || o.size < n.size && self.consistent(o.size, n.size, &o.root, &n.root)?);
            if !extends {
                return Err(integrity(format!(
                    "{}'s history no longer extends the checkpoint this client verified before \
                     (log {:?} at {} events): the server rewrote or replaced its log",
                    self.shown, o.origin, o.size
                )));
            }
        }
        if let Some(f) = &file {
            let saved = f
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .map_err(anyhow::Error::from)
                .and_then(|()| crate::atomic::write(f, text.as_bytes()));
            saved.map_err(|e| {
                Failure::runtime(format!(
                    "cannot keep {}'s verified checkpoint in {}: {e}",
                    self.shown,
                    f.display()
                ))
                .with_hint("set XDG_STATE_HOME to a folder this user can write")
            })?;
        }
        Ok(())
    }

    /// Checks the server's history against the checkpoint this client kept (as every read
    /// does), now.
    pub fn verify_history(&self) -> anyhow::Result<()> {
        self.checked.set(None);
        self.check_history()
    }

    /// The server's consistency proof from `from` leaves to `to`, decoded.
    pub(super) fn fetch_consistency(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        let reply: api::ConsistencyProof = self.json(
            self.get("/v1/proof/consistency")
                .query(&[("from", from), ("to", to)]),
        )?;
        decode_hashes(&reply.proof)
    }

    /// Whether the server's tree of `to` leaves with root `new` extends the one of `from`
    /// leaves with root `old`, by a consistency proof it sends. No proof, or one that does not
    /// decode, is an integrity failure.
    pub(super) fn consistent(
        &self,
        from: u64,
        to: u64,
        old: &Hash,
        new: &Hash,
    ) -> anyhow::Result<bool> {
        if from == to {
            return Ok(old == new);
        }
        if from > to {
            return Ok(false);
        }
        let proof = self.fetch_consistency(from, to).map_err(|e| {
            integrity(format!(
                "{} gave no consistency proof from {from} to {to} events, so its log cannot be \
                 checked: {e:#}",
                self.shown
            ))
        })?;
        Ok(merkle::verify_consistency(from, to, old, new, &proof))
    }
}

/// Base64 hashes as the API sends them.
pub(super) fn decode_hashes(hashes: &[String]) -> anyhow::Result<Vec<Hash>> {
    hashes
        .iter()
        .map(|h| {
            B64.decode(h)
                .ok()
                .and_then(|b| Hash::try_from(b).ok())
                .ok_or_else(|| integrity(format!("{h:?} is not a base64 SHA-256 hash")))
        })
        .collect()
}
