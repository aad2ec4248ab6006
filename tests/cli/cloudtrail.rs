//! AWS CloudTrail: the mapping of docs/SPEC.md §8.4, gzip files in an S3 folder tree, digest files
//! passed over, and bad records named by file and line.

use std::io::Write;

use auditctl::model::Event;
use serde_json::json;

use super::common::{Env, fixture};

const LOGS: [&str; 2] = ["20261120T1000Z.json", "20261120T1005Z.json"];

fn log(name: &str) -> String {
    std::fs::read_to_string(fixture("cloudtrail").join(name)).unwrap()
}

/// The fixtures laid out as CloudTrail writes them to S3, gzipped, with a digest file.
fn s3_tree(env: &Env) -> &'static str {
    let day = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20";
    for name in LOGS {
        env.write_gzip(
            &format!("{day}/123456789012_CloudTrail_us-east-1_{name}.gz"),
            log(name).as_bytes(),
        );
    }
    env.write_gzip(
        "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/digest.json.gz",
        log("digest.json").as_bytes(),
    );
    env.write("AWSLogs/.DS_Store", "\0\0");
    env.write("AWSLogs/README.txt", "trail exported for the audit\n");
    "AWSLogs"
}

fn by_id<'a>(events: &'a [Event], id: &str) -> &'a Event {
    events.iter().find(|e| e.id == id).unwrap()
}

#[test]
fn every_field_is_mapped() {
    let env = Env::new();
    let paths: Vec<String> = LOGS
        .iter()
        .map(|n| fixture("cloudtrail").join(n).display().to_string())
        .collect();
    let run = env.run(&["import", &paths[0], &paths[1]]).ok();
    assert_eq!(
        run.stdout,
        "added 6 events, skipped 0 already in the store\n"
    );
    let events = env.all_events();

    let create = by_id(&events, "ct-0002-create");
    assert_eq!(
        auditctl::model::format_time(&create.time),
        "2026-11-20T10:01:00.000Z"
    );
    assert_eq!(create.user, "alice");
    assert_eq!(create.user_type.as_deref(), Some("user"));
    assert_eq!(create.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(create.action, "CREATE");
    assert_eq!(create.operation.as_deref(), Some("CreateBucket"));
    assert_eq!(create.service.as_deref(), Some("s3.amazonaws.com"));
    assert_eq!(create.table.as_deref(), Some("AWS::S3::Bucket"));
    assert_eq!(
        create.resource_id.as_deref(),
        Some("arn:aws:s3:::audit-archive")
    );
    assert_eq!(create.message, "CreateBucket arn:aws:s3:::audit-archive");
    assert_eq!(create.outcome, "success");
    assert_eq!(create.before, None);
    assert_eq!(
        create.after,
        Some(json!({"bucketName": "audit-archive", "Host": "audit-archive.s3.amazonaws.com"}))
    );
    assert_eq!(create.meta["region"], "us-east-1");
    assert_eq!(create.meta["account_id"], "123456789012");
    assert_eq!(create.meta["request_id"], "REQ0001");
    assert_eq!(create.meta["user_agent"], "aws-cli/2.15.0");
    assert_eq!(create.meta["access_key_id"], "ASIAEXAMPLEKEY1");

    let login = by_id(&events, "ct-0001-login");
    assert_eq!(
        (login.action.as_str(), login.table.as_deref()),
        ("LOGIN", None)
    );
    assert_eq!(login.meta["response_elements"]["ConsoleLogin"], "Success");

    let policy = by_id(&events, "ct-0003-policy");
    assert_eq!(policy.action, "PUT");
    assert_eq!(
        (policy.user.as_str(), &policy.meta["user_arn"]),
        (
            "Admin/bob",
            &serde_json::json!("arn:aws:sts::123456789012:assumed-role/Admin/bob")
        ),
        "an assumed role reads as role/session, the ARN kept"
    );
    assert_eq!(policy.ip.as_deref(), Some("2001:db8::7"));
    assert_eq!(
        auditctl::model::format_time(&policy.time),
        "2026-11-20T10:02:30.250Z"
    );

    let denied = by_id(&events, "ct-0004-denied");
    assert_eq!(
        (denied.action.as_str(), denied.outcome.as_str()),
        ("DELETE", "failure")
    );
    assert_eq!(
        denied.message,
        "DeleteBucket arn:aws:s3:::audit-archive failed: AccessDenied: Access Denied"
    );
    assert_eq!(denied.after, None, "a failed call changed nothing");
    assert_eq!(
        denied.meta["request_parameters"]["bucketName"],
        "audit-archive"
    );
    assert_eq!(denied.meta["error_code"], "AccessDenied");

    let service = by_id(&events, "ct-0005-service");
    assert_eq!(service.user, "cloudtrail.amazonaws.com");
    assert_eq!(service.user_type.as_deref(), Some("system"));
    assert_eq!(service.ip, None, "a service name is not an IP");
    assert_eq!(service.meta["source"], "cloudtrail.amazonaws.com");
    assert_eq!(service.after, None, "readOnly calls change nothing");

    let read = by_id(&events, "ct-0006-read");
    assert_eq!(read.action, "READ");
    assert_eq!(read.table.as_deref(), Some("AWS::S3::Object"));
    assert_eq!(read.meta["resources"].as_array().unwrap().len(), 2);

    // The quick filters work on what was mapped.
    let failed = env
        .run(&[
            "list",
            "--outcome",
            "failure",
            "--user",
            "mallory",
            "-o",
            "jsonl",
        ])
        .ok();
    assert_eq!(failed.ids(), ["ct-0004-denied"]);
}

#[test]
fn a_gzipped_s3_tree_imports_once() {
    let env = Env::new();
    let root = s3_tree(&env);
    let run = env.run(&["import", root]).ok();
    assert_eq!(
        run.stdout,
        "added 6 events, skipped 0 already in the store\n"
    );
    assert!(
        run.stderr.contains("passed over 1 CloudTrail digest file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("passed over 1 file in the folder that is no audit log: AWSLogs/README.txt"),
        "{}",
        run.stderr
    );
    // Named on the command line, the same file is an error.
    let named = env.run(&["import", "AWSLogs/README.txt"]);
    assert_eq!(named.code, 1);
    let ids: Vec<String> = env.all_events().into_iter().map(|e| e.id).collect();
    assert_eq!(ids[0], "ct-0001-login", "files in name (time) order");
    assert_eq!(ids[5], "ct-0006-read");
    let again = env.run(&["import", root]).ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 6 already in the store\n"
    );
    // A single gzip file from stdin, forced by its alias.
    let gz = std::fs::read(
        env.path("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T1005Z.json.gz"),
    )
    .unwrap();
    let mut child = env
        .command(&["--store", "other.db", "import", "--format", "aws", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gz).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "added 2 events, skipped 0 already in the store\n"
    );
}

#[test]
fn bad_records_are_named_and_nothing_is_written() {
    let env = Env::new();
    let text = log(LOGS[1]).replace(
        "\"eventTime\": \"2026-11-20T10:06:00Z\"",
        "\"eventTime\": \"yesterday\"",
    );
    env.write("bad.json", &text);
    let run = env.run(&["import", "bad.json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("bad.json:20: Records[1]: eventTime: \"yesterday\" is not an RFC 3339 time"),
        "{}",
        run.stderr
    );
    assert!(!env.store().exists(), "nothing written");
    let skipped = env.run(&["import", "bad.json", "--skip-invalid"]).ok();
    assert_eq!(
        skipped.stdout,
        "added 1 event, skipped 0 already in the store, 1 invalid\n"
    );

    // A file cut short, and a log of another format forced as CloudTrail.
    env.write("cut.json", &log(LOGS[1])[..300]);
    let cut = env.run(&["import", "cut.json"]);
    assert_eq!(cut.code, 1);
    assert!(cut.stderr.contains("cut.json:"), "{}", cut.stderr);
    assert!(
        cut.stderr.contains("not a CloudTrail log file"),
        "{}",
        cut.stderr
    );
    let other = env.run(&[
        "import",
        "--format",
        "cloudtrail",
        fixture("events.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(other.code, 1);
    assert!(
        other
            .stderr
            .contains("events.jsonl:1: not a CloudTrail record"),
        "{}",
        other.stderr
    );
    assert_eq!(
        env.all_events().len(),
        1,
        "the failed imports added nothing"
    );
}

#[test]
fn records_one_per_line_import_too() {
    let env = Env::new();
    let mut lines = String::new();
    for name in LOGS {
        let file: serde_json::Value = serde_json::from_str(&log(name)).unwrap();
        for record in file["Records"].as_array().unwrap() {
            lines.push_str(&record.to_string());
            lines.push('\n');
        }
    }
    env.write("lake.jsonl", &lines);
    let run = env.run(&["import", "lake.jsonl"]).ok();
    assert_eq!(
        run.stdout,
        "added 6 events, skipped 0 already in the store\n"
    );
    // The same events as from the log files.
    let from_files = Env::new();
    for name in LOGS {
        from_files
            .run(&["import", fixture("cloudtrail").join(name).to_str().unwrap()])
            .ok();
    }
    assert_eq!(env.all_events(), from_files.all_events());
    env.write("bad.jsonl", &(lines + "{\"eventID\": \"x\"}\n"));
    let bad = env.run(&["--store", "b.db", "import", "bad.jsonl"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("bad.jsonl:7: eventTime is missing"),
        "{}",
        bad.stderr
    );
}

#[test]
fn failed_logins_records_without_ids_and_assumed_roles() {
    let env = Env::new();
    let records = serde_json::json!({"Records": [
        {
            "eventVersion": "1.02", "eventTime": "2026-11-20T09:00:00Z",
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
            "userIdentity": {"type": "IAMUser", "userName": "eve", "arn": "arn:aws:iam::1:user/eve"},
            "responseElements": {"ConsoleLogin": "Failure"},
            "additionalEventData": {"MFAUsed": "No"}
        },
        {
            "eventVersion": "1.08", "eventID": "sso-1", "eventTime": "2026-11-20T09:05:00Z",
            "eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket",
            "userIdentity": {
                "type": "AssumedRole", "principalId": "AROAEXAMPLE:jane@example.com",
                "arn": "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1234/jane@example.com"
            },
            "requestParameters": {"bucketName": "logs"}
        }
    ]});
    env.write("trail.json", &records.to_string());
    env.run(&["import", "trail.json"]).ok();
    let events = env.all_events();
    let login = &events[0];
    assert_eq!(
        (login.action.as_str(), login.outcome.as_str()),
        ("LOGIN", "failure")
    );
    assert_eq!(login.id.len(), 36, "a made id: {}", login.id);
    let sso = &events[1];
    assert_eq!(sso.user, "AWSReservedSSO_Admin_1234/jane@example.com");
    assert_eq!(
        sso.meta["user_arn"],
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1234/jane@example.com"
    );
    // The made id is stable: importing again adds nothing.
    let again = env.run(&["import", "trail.json"]).ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 2 already in the store\n"
    );
    let failed = env
        .run(&["list", "--outcome", "failure", "-o", "jsonl"])
        .ok();
    assert_eq!(failed.ids(), std::slice::from_ref(&login.id));
}
