//! A store one may read but not write — an auditor's copy owned by someone else, file 0444 in
//! a folder 0555 — opens read-only: every reading command works, every writing one says the
//! store is read-only. Run as another user (`setpriv`) when the tests run as root, who may
//! write anything.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use super::common::{Env, Run, to_run};

/// `cmd`, run as `nobody` when this process is root (root ignores file modes).
fn as_auditor(cmd: &Command) -> Command {
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        let mut same = Command::new(cmd.get_program());
        same.args(cmd.get_args());
        copy_setup(cmd, &mut same);
        return same;
    }
    let mut other = Command::new("setpriv");
    other
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    copy_setup(cmd, &mut other);
    other
}

fn copy_setup(from: &Command, to: &mut Command) {
    to.env_clear();
    for (k, v) in from.get_envs() {
        if let Some(v) = v {
            to.env(k, v);
        }
    }
    if let Some(dir) = from.get_current_dir() {
        to.current_dir(dir);
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A store with events and a checkpoint, copied into `folder` of the environment as the
/// auditor gets it.
fn auditors_copy(env: &Env, folder: &str) -> String {
    env.run(&["demo", "--events", "200"]).ok();
    env.run(&["checkpoint"]).ok();
    std::fs::create_dir(env.path(folder)).unwrap();
    let copy = format!("{folder}/audit.db");
    std::fs::copy(env.store(), env.path(&copy)).unwrap();
    // The auditor may enter the test's folder and read the copy.
    chmod(env.dir.path(), 0o755);
    chmod(&env.path(&copy), 0o444);
    copy
}

fn run(env: &Env, store: &str, args: &[&str]) -> Run {
    let mut all = vec!["--store", store];
    all.extend_from_slice(args);
    to_run(as_auditor(&env.command(&all)).output().unwrap())
}

fn reading_and_writing(env: &Env, store: &str) {
    let reads: [&[&str]; 10] = [
        &["list"],
        &["filter", "action = \"UPDATE\""],
        &["list", "--search", "policy"],
        &["show", "5"],
        &["diff", "5"],
        &["history", "policies", "p-12"],
        &["stats", "--by", "user"],
        &["export", "-o", "jsonl", "--output", "-"],
        &["verify"],
        &["prove", "5"],
    ];
    for args in reads {
        let run = run(env, store, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{args:?} printed nothing");
    }
    let writes: [&[&str]; 4] = [
        &["record", "--user", "a", "--action", "X"],
        &["import", "-"],
        &["revert", "5", "--yes"],
        &["checkpoint"],
    ];
    for args in writes {
        let run = run(env, store, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is read-only to you"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_auditors_copy_in_a_folder_of_someone_elses_opens_read_only() {
    let env = Env::new();
    let store = auditors_copy(&env, "copy");
    chmod(&env.path("copy"), 0o555);
    reading_and_writing(&env, &store);
    // Nothing was made beside it.
    let names: Vec<_> = std::fs::read_dir(env.path("copy")).unwrap().collect();
    assert_eq!(names.len(), 1);
    // So that the test's folder can be removed by a user who is not root.
    chmod(&env.path("copy"), 0o755);
}

#[test]
fn a_read_only_file_in_a_shared_folder_opens_read_only() {
    let env = Env::new();
    let store = auditors_copy(&env, "shared");
    chmod(&env.path("shared"), 0o1777);
    reading_and_writing(&env, &store);
    chmod(&env.path("shared"), 0o755);
}
