//! The checked-in completions and man pages match the clap definitions. Set
//! `AUDITCTL_REGENERATE=1` to rewrite them.

use std::path::Path;

use super::common::Env;

/// Compares folder `what` with what `auditctl generate KIND` writes now.
fn compare_or_rewrite(what: &str, kind: &str) {
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join(what);
    let env = Env::new();
    if std::env::var_os("AUDITCTL_REGENERATE").is_some() {
        let _ = std::fs::remove_dir_all(&checked_in);
        env.run(&["generate", kind, checked_in.to_str().unwrap()])
            .ok();
    }
    let fresh = env.path("fresh");
    env.run(&["generate", kind, fresh.to_str().unwrap()]).ok();
    let mut names: Vec<_> = std::fs::read_dir(&fresh)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut existing: Vec<_> = std::fs::read_dir(&checked_in)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    existing.sort();
    assert_eq!(
        names, existing,
        "{what}/ is out of date: run `AUDITCTL_REGENERATE=1 cargo test generated`"
    );
    for name in names {
        let a = std::fs::read(fresh.join(&name)).unwrap();
        let b = std::fs::read(checked_in.join(&name)).unwrap();
        assert!(
            a == b,
            "{what}/{} is out of date: run `AUDITCTL_REGENERATE=1 cargo test generated`",
            name.to_string_lossy()
        );
    }
}

#[test]
fn completions_are_current() {
    compare_or_rewrite("completions", "completions");
}

#[test]
fn man_pages_are_current() {
    compare_or_rewrite("man", "man");
}
