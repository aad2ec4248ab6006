//! `show ID`: by seq, id and prefix; not found and ambiguous; formats.

use super::common::Env;

#[test]
fn show_by_seq_id_and_prefix() {
    let env = Env::with_events();
    let by_seq = env.run(&["show", "5"]).ok();
    insta::assert_snapshot!(by_seq.snapshot());
    assert_eq!(env.run(&["show", "evt-0005"]).ok().stdout, by_seq.stdout);
    let run = env.run(&["show", "evt-0001", "-o", "json"]).ok();
    let e: auditctl::model::Event = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(e.seq, Some(1));
    assert_eq!(e.resource_id.as_deref(), Some("1042"));
}

#[test]
fn show_json_data_and_redaction() {
    let env = Env::with_events();
    insta::assert_snapshot!("show_create_webhook", env.run(&["show", "2"]).snapshot());
    let run = env.run(&["show", "2", "--reveal"]).ok();
    assert!(run.stdout.contains("s3cr3t-value"));
}

#[test]
fn unknown_and_ambiguous_ids() {
    let env = Env::with_events();
    let run = env.run(&["show", "99"]);
    assert_eq!(run.code, 5);
    assert_eq!(
        run.stderr,
        "auditctl: error: no event matches \"99\"\nhint: an ID is a seq number, a full id, or a unique prefix of an id\n"
    );
    assert_eq!(env.run(&["show", "nope"]).code, 5);
    let run = env.run(&["show", "evt-000"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("\"evt-000\" is ambiguous: it matches evt-0001 (seq 1), evt-0002 (seq 2)"),
        "{}",
        run.stderr
    );
    let run = env.run(&["show", "evt-0010"]).ok();
    assert!(run.stdout.starts_with("event 10  LOGIN"));
}
