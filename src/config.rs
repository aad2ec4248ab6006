//! The configuration file (docs/SPEC.md §10): profiles, the default profile, redaction keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Failure;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    #[serde(default)]
    pub redact: RedactConfig,
}

/// Where a profile points: a local store or a remote API, with its token.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub store: Option<PathBuf>,
    pub remote: Option<String>,
    pub token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactConfig {
    #[serde(default)]
    pub keys: Vec<String>,
}

/// `$XDG_CONFIG_HOME/auditctl/config.toml`, else `~/.config/auditctl/config.toml`.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("auditctl").join("config.toml"))
}

impl Config {
    /// Reads the configuration; a missing file is an empty configuration.
    pub fn load() -> Result<Config, Failure> {
        match path() {
            Some(p) if p.exists() => Self::load_from(&p),
            _ => Ok(Config::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Config, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::runtime(format!("cannot read config {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            Failure::usage(format!(
                "config {} is invalid: {}",
                path.display(),
                e.message()
            ))
            .with_hint("see the Configuration section of the README")
        })
    }

    /// The active profile: `--profile NAME`, else `default_profile`, else none.
    pub fn profile(&self, requested: Option<&str>) -> Result<Option<&Profile>, Failure> {
        let Some(name) = requested.or(self.default_profile.as_deref()) else {
            return Ok(None);
        };
        self.profiles.get(name).map(Some).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            Failure::usage(format!("no profile named {name:?} in the config")).with_hint(
                if known.is_empty() {
                    "define one as [profiles.NAME] in the config file".to_owned()
                } else {
                    format!("profiles: {}", known.join(", "))
                },
            )
        })
    }
}

/// `AUDITCTL_USER`, else the login name: `USER` or `LOGNAME`, else what `id -un` says (a
/// cron job or a container may set neither variable).
pub fn default_user() -> Option<String> {
    ["AUDITCTL_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| {
            let out = std::process::Command::new("id").arg("-un").output().ok()?;
            let name = String::from_utf8(out.stdout).ok()?.trim().to_owned();
            (out.status.success() && !name.is_empty()).then_some(name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_and_redaction() {
        let c: Config = toml::from_str(
            r#"default_profile = "prod"
               [profiles.prod]
               store = "/var/lib/audit.db"
               [redact]
               keys = ["pin"]"#,
        )
        .unwrap();
        assert_eq!(
            c.profile(None).unwrap().unwrap().store,
            Some(PathBuf::from("/var/lib/audit.db"))
        );
        assert!(c.profile(Some("dev")).is_err());
        assert_eq!(c.redact.keys, vec!["pin"]);
    }

    proptest::proptest! {
        /// Any configuration text loads or is an error, and any keys it gives make a redactor
        /// or an error naming them: nothing panics.
        #[test]
        fn any_config_loads_or_is_an_error(
            text in "\\PC{0,200}|\\[redact\\]\nkeys = \\[(\"[^\"\\\\]{0,300}\", ){0,30}\\]",
            keys in proptest::collection::vec(proptest::prelude::any::<String>(), 0..40),
        ) {
            if let Ok(c) = toml::from_str::<Config>(&text) {
                let _ = crate::redact::Redactor::new(&c.redact.keys);
            }
            if let Ok(r) = crate::redact::Redactor::new(&keys) {
                proptest::prop_assert!(r.is_sensitive("password"));
            }
        }
    }
}
