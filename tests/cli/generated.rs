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
    let fresh = generate(&env, kind);
    let names = file_names(&fresh);
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

/// What `auditctl generate KIND` writes now, in a folder of `env`.
fn generate(env: &Env, kind: &str) -> std::path::PathBuf {
    let fresh = env.path(&format!("fresh-{kind}"));
    env.run(&["generate", kind, fresh.to_str().unwrap()]).ok();
    fresh
}

/// The names of the files in a folder, sorted.
fn file_names(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

/// A man page's sections by heading (`.SH NAME`, `.SH "EXIT STATUS"`), each with its text,
/// roff's font changes and escaped hyphens taken out.
fn man_sections(page: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix(".SH ") {
            sections.push((heading.trim_matches('"').to_owned(), String::new()));
        } else if let Some((_, text)) = sections.last_mut() {
            let plain = line
                .replace("\\fB", "")
                .replace("\\fI", "")
                .replace("\\fR", "")
                .replace("\\-", "-");
            text.push_str(&plain);
            text.push('\n');
        }
    }
    sections
}

// The two tests below read what `generate` writes now, which `man_pages_are_current` and
// `completions_are_current` hold the checked-in folders to.

#[test]
fn man_pages_have_a_synopsis_exit_status_environment_and_files() {
    let env = Env::new();
    let dir = generate(&env, "man");
    let names = file_names(&dir);
    assert!(names.len() > 10, "only {names:?}");
    for name in names {
        let page = std::fs::read_to_string(dir.join(&name)).unwrap();
        let sections = man_sections(&page);
        let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
        for wanted in ["SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
            assert!(
                headings.contains(&wanted),
                "{} has no {wanted} section: {headings:?}",
                name.to_string_lossy()
            );
        }
    }
    let list = man_sections(&std::fs::read_to_string(dir.join("auditctl-list.1")).unwrap());
    let synopsis = &list.iter().find(|(h, _)| h == "SYNOPSIS").unwrap().1;
    assert!(
        synopsis.contains("auditctl list [OPTIONS]"),
        "the synopsis of auditctl-list.1 is not clap's usage: {synopsis:?}"
    );
}

#[test]
fn completions_offer_no_hidden_command() {
    let env = Env::new();
    let dir = generate(&env, "completions");
    for name in file_names(&dir) {
        let script = std::fs::read_to_string(dir.join(&name)).unwrap();
        assert!(
            !script.contains("generate"),
            "{} offers the hidden command generate",
            name.to_string_lossy()
        );
    }
}
