//! API tokens for `serve`: a TOML file of names, scopes and the SHA-256 of each token (never
//! the token itself), and `token new` to add one.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Failure;

pub use crate::api::Scope;

/// One token entry of the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenEntry {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Lower-case hex SHA-256 of the token.
    pub sha256: String,
}

/// The tokens file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tokens {
    #[serde(default, rename = "token")]
    pub tokens: Vec<TokenEntry>,
}

fn hash_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Tokens {
    pub fn load(path: &Path) -> anyhow::Result<Tokens> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            Failure::runtime(format!("{}: not a tokens file: {e}", path.display())).into()
        })
    }

    /// The entry a presented token belongs to. The comparison is of hashes, so its time says
    /// nothing about the token.
    pub fn find(&self, token: &str) -> Option<&TokenEntry> {
        let hash = hash_hex(token);
        self.tokens.iter().find(|t| t.sha256 == hash)
    }
}

/// Refuses a tokens file that is a symbolic link or anything but a plain file, before it is
/// read (whose first line a parse error would show) or written through.
fn refuse_link(path: &Path) -> anyhow::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(Failure::runtime(format!(
            "{} is not a plain file (a symbolic link or other): the tokens file is written only \
             as one",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Writes the tokens file whole: to a temporary file beside it (mode 0600 from the start, for
/// the hashes are what an attacker would try tokens against), synced, then renamed over it,
/// so a crash never leaves it half written. A symbolic link at the path is refused rather
/// than written through.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    refuse_link(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let cannot = |e: &dyn std::fmt::Display| {
        Failure::runtime(format!("cannot write {}: {e}", path.display()))
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tokens-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| cannot(&e))?;
    tmp.write_all(bytes).map_err(|e| cannot(&e))?;
    tmp.as_file().sync_all().map_err(|e| cannot(&e))?;
    tmp.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// `token new`: makes a random token, adds its entry to the file (written whole, 0600), and
/// returns the token, which is never stored.
pub fn new_token(path: &Path, name: &str, scopes: &[Scope]) -> anyhow::Result<String> {
    // The name is what the log records as `recorded_by` and what reviewers read: plain
    // letters, digits and `._@+-`, so that no two names can look alike.
    let plain = |c: char| c.is_ascii_alphanumeric() || "._@+-".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(plain) {
        return Err(Failure::usage(
            "a token name is 1 to 64 letters, digits and . _ @ + - (ASCII), e.g. ci-deploy",
        )
        .into());
    }
    refuse_link(path)?;
    // Two `token new` at once would each add to the file as they read it, and one token would
    // be lost: they take turns, on a lock file beside it.
    let lock_path = {
        let mut p = path.as_os_str().to_owned();
        p.push(".lock");
        std::path::PathBuf::from(p)
    };
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|e| Failure::runtime(format!("cannot open {}: {e}", lock_path.display())))?;
    lock.lock()
        .map_err(|e| Failure::runtime(format!("cannot lock {}: {e}", lock_path.display())))?;
    let mut tokens = if path.exists() {
        Tokens::load(path)?
    } else {
        Tokens::default()
    };
    if tokens.tokens.iter().any(|t| t.name == name) {
        return Err(Failure::usage(format!(
            "{} already has a token named {name:?}",
            path.display()
        ))
        .into());
    }
    let mut bytes = [0u8; 24];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    let token = format!(
        "audt_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    tokens.tokens.push(TokenEntry {
        name: name.to_owned(),
        scopes: scopes.to_vec(),
        sha256: hash_hex(&token),
    });
    let text = toml::to_string(&tokens)?;
    write_private(path, text.as_bytes())?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_hashes_and_found_by_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.toml");
        let token = new_token(&path, "ci", &[Scope::View, Scope::Write]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&token));
        assert!(text.contains("audit_log:write"));
        let tokens = Tokens::load(&path).unwrap();
        assert_eq!(tokens.find(&token).unwrap().name, "ci");
        assert!(tokens.find("audt_wrong").is_none());
        assert!(new_token(&path, "ci", &[Scope::View]).is_err());
        assert_eq!(Scope::parse("view_sensitive"), Some(Scope::ViewSensitive));
        assert_eq!(Scope::parse("audit_log:revert"), Some(Scope::Revert));
        assert_eq!(Scope::parse("admin"), None);
        // The file is private, whatever it was before, and never written through a link.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        new_token(&path, "other", &[Scope::View]).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let link = dir.path().join("link.toml");
        let target = dir.path().join("elsewhere.toml");
        std::fs::write(&target, "").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(new_token(&link, "x", &[Scope::View]).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    }
}
