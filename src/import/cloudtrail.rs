//! AWS CloudTrail log files (`{"Records": [...]}`, as CloudTrail writes them to S3), mapped as
//! docs/SPEC.md §8.4 says. A file is one JSON document, read whole (CloudTrail keeps them to a few
//! megabytes); each record is numbered by the line it starts on. Records one per line (as
//! CloudTrail Lake and Athena exports write them) are read too.

use std::io::BufRead;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Record, contains, parse_time};
use crate::model::Event;

/// Whether the start of a file is a CloudTrail log: an object whose first key is `Records`,
/// holding objects with CloudTrail's field names (or no records at all).
/// Whether the start of a file is a `{"Records": [...]}` document.
pub fn is_log_file(head: &[u8]) -> bool {
    let text = head.trim_ascii_start();
    let Some(rest) = text.strip_prefix(b"{") else {
        return false;
    };
    let Some(rest) = rest.trim_ascii_start().strip_prefix(b"\"Records\"") else {
        return false;
    };
    let Some(rest) = rest.trim_ascii_start().strip_prefix(b":") else {
        return false;
    };
    let Some(rest) = rest.trim_ascii_start().strip_prefix(b"[") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    rest.starts_with(b"]") || contains(rest, b"\"eventSource\"") || contains(rest, b"\"eventID\"")
}

/// Whether one line is a CloudTrail record (JSON Lines of records, as Lake and Athena export
/// them): an object naming an event source and a user identity.
pub fn is_record_line(line: &[u8]) -> bool {
    // The fields are only required, never read.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head<'a> {
        #[serde(borrow)]
        #[allow(dead_code)]
        event_source: &'a RawValue,
        #[serde(borrow)]
        #[allow(dead_code)]
        user_identity: &'a RawValue,
    }
    serde_json::from_slice::<Head>(line).is_ok()
}

/// Whether the start of a file is a CloudTrail digest file (the hashes CloudTrail writes beside
/// its logs for its own validation): no events, so an import passes over it.
pub fn is_digest(head: &[u8]) -> bool {
    head.trim_ascii_start().starts_with(b"{")
        && contains(head, b"\"digestStartTime\"")
        && contains(head, b"\"awsAccountId\"")
}

#[derive(Deserialize)]
struct LogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// The records of one log file, or of JSON Lines of records. A file that is neither is one
/// bad record at the line serde stopped on.
pub fn records<'a, R: BufRead + 'a>(mut reader: R) -> Box<dyn Iterator<Item = Record> + 'a> {
    // A file that opens as `{"Records"` is one document, however its records read; else,
    // records one per line.
    let lines = match reader.fill_buf() {
        Ok(head) => !head
            .trim_ascii_start()
            .strip_prefix(b"{")
            .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"\"Records\"")),
        Err(_) => false,
    };
    if lines {
        return Box::new(super::numbered_lines(reader).filter_map(|(line, text)| {
            let event = match text {
                Err(e) => Err(e),
                Ok(t) if t.trim().is_empty() => return None,
                Ok(t) => serde_json::from_str::<Value>(&t)
                    .map_err(|e| format!("not JSON: {e}"))
                    .and_then(|v| {
                        // An object with none of a record's fields is another kind of line.
                        let fields = ["eventID", "eventSource", "eventName", "eventTime"];
                        if fields.iter().any(|f| v.get(f).is_some()) {
                            map_record(&v)
                        } else {
                            Err("not a CloudTrail record (a log file opens with \
                                 {\"Records\": [...]}; a record one per line has eventID, \
                                 eventSource, eventName, eventTime)"
                                .to_owned())
                        }
                    }),
            };
            Some(Record { line, event })
        }));
    }
    let mut text = String::new();
    let records = match reader.read_to_string(&mut text) {
        Err(e) => vec![Record {
            line: 1,
            event: Err(format!("cannot read as UTF-8 text: {e}")),
        }],
        Ok(_) => parse_file(&text),
    };
    Box::new(records.into_iter())
}

fn parse_file(text: &str) -> Vec<Record> {
    let file: LogFile = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            return vec![Record {
                line: e.line().max(1),
                event: Err(format!("not a CloudTrail log file: {e}")),
            }];
        }
    };
    // Each raw record borrows from `text`: its offset gives the line it starts on.
    let mut line = 1;
    let mut counted = 0;
    file.records
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..offset]).count();
            counted = offset;
            let event = serde_json::from_str::<Value>(raw.get())
                .map_err(|e| e.to_string())
                .and_then(|v| map_record(&v))
                .map_err(|why| format!("Records[{i}]: {why}"));
            Record { line, event }
        })
        .collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The action of an `eventName`: its leading verb upper-cased (`CreateBucket` → CREATE,
/// `PutBucketPolicy` → PUT), with the verbs that only read folded into READ and console
/// sign-ins into LOGIN.
pub fn action_of(event_name: &str) -> String {
    let verb_end = event_name
        .char_indices()
        .skip(1)
        .find(|(_, c)| !c.is_ascii_lowercase())
        .map_or(event_name.len(), |(i, _)| i);
    let verb = &event_name[..verb_end];
    match verb {
        "Get" | "List" | "Describe" | "Head" | "Lookup" | "Search" | "Select" => "READ".into(),
        "Console" if event_name == "ConsoleLogin" => "LOGIN".into(),
        _ => verb.to_ascii_uppercase(),
    }
}

/// One CloudTrail record as an auditctl event (docs/SPEC.md §8.4).
pub fn map_record(v: &Value) -> Result<Event, String> {
    if !v.is_object() {
        return Err("a record is not a JSON object".into());
    }
    // Records of older event versions have no eventID: one is made from the record itself
    // (its canonical bytes), so that importing it again adds nothing.
    let id = match text(&v["eventID"]) {
        Some(id) => id,
        None => super::content_id(&crate::model::canonical_value(v)),
    };
    let time = parse_time(&text(&v["eventTime"]).ok_or("eventTime is missing")?)
        .map_err(|e| format!("eventTime: {e}"))?;
    // Insights events describe unusual activity of an API rather than one call.
    let insight = v["eventCategory"] == "Insight";
    let name = if insight {
        text(&v["insightDetails"]["eventName"])
    } else {
        text(&v["eventName"])
    }
    .ok_or("eventName is missing")?;
    let who = &v["userIdentity"];
    // An assumed role reads as the role and its session (`Admin/jane@example.com`), the way
    // the console shows it; the whole ARN stays in meta.
    let assumed = (who["type"] == "AssumedRole")
        .then(|| text(&who["arn"]))
        .flatten()
        .and_then(|arn| {
            arn.split_once(":assumed-role/")
                .map(|(_, role_session)| role_session.to_owned())
        });
    let user = assumed
        .or_else(|| text(&who["userName"]))
        .or_else(|| text(&who["arn"]))
        .or_else(|| text(&who["onBehalfOf"]["userId"]))
        .or_else(|| text(&who["principalId"]))
        .or_else(|| text(&who["invokedBy"]))
        .or_else(|| text(&who["type"]))
        .or_else(|| insight.then(|| "cloudtrail.amazonaws.com".to_owned()))
        .ok_or("userIdentity has no userName, arn, principalId or invokedBy")?;
    let user_type = match who["type"].as_str() {
        Some("AWSService") => "system",
        _ if insight => "system",
        _ => "user",
    };
    let action = if insight {
        "INSIGHT".to_owned()
    } else {
        action_of(&name)
    };
    let resource = &v["resources"][0];
    let table = text(&resource["type"]);
    let resource_id = text(&resource["ARN"])
        .or_else(|| text(&resource["arn"]))
        .or_else(|| text(&resource["ARNPrefix"]));
    let error_code = text(&v["errorCode"]);
    // A failed console sign-in has no errorCode: it says so in its response.
    let login_failed = v["responseElements"]["ConsoleLogin"] == "Failure";
    let outcome = if error_code.is_some() || login_failed {
        "failure"
    } else {
        "success"
    };
    // `sourceIPAddress` names the calling service for calls AWS makes itself.
    let source = text(&v["sourceIPAddress"]);
    let ip = source
        .as_deref()
        .filter(|s| s.parse::<std::net::IpAddr>().is_ok());
    let params = Some(v["requestParameters"].clone()).filter(|p| !p.is_null());
    // The parameters are the new state only of a change that happened (CloudTrail marks the
    // calls that change nothing `readOnly`); otherwise they stay searchable in meta.
    let changed = outcome == "success" && action != "READ" && v["readOnly"] != Value::Bool(true);
    let after = params.clone().filter(|_| changed);
    let mut meta = Map::new();
    for (key, value) in [
        ("region", v["awsRegion"].clone()),
        ("account_id", v["recipientAccountId"].clone()),
        ("user_agent", v["userAgent"].clone()),
        ("request_id", v["requestID"].clone()),
        ("event_type", v["eventType"].clone()),
        ("event_category", v["eventCategory"].clone()),
        ("read_only", v["readOnly"].clone()),
        ("identity_type", who["type"].clone()),
        ("user_arn", who["arn"].clone()),
        ("access_key_id", who["accessKeyId"].clone()),
        ("error_code", v["errorCode"].clone()),
        ("error_message", v["errorMessage"].clone()),
        ("response_elements", v["responseElements"].clone()),
        ("insight_details", v["insightDetails"].clone()),
    ] {
        if !value.is_null() {
            meta.insert(key.to_owned(), value);
        }
    }
    if ip.is_none()
        && let Some(s) = &source
    {
        meta.insert("source".into(), Value::from(s.as_str()));
    }
    if after.is_none()
        && let Some(p) = params
    {
        meta.insert("request_parameters".into(), p);
    }
    if v["resources"].as_array().is_some_and(|r| r.len() > 1) {
        meta.insert("resources".into(), v["resources"].clone());
    }
    let insight_kind = insight.then(|| {
        let kind = text(&v["insightDetails"]["insightType"]).unwrap_or_default();
        let state = text(&v["insightDetails"]["state"]).unwrap_or_default();
        format!("Insight {kind} {state}:")
    });
    let mut message = [insight_kind, Some(name.clone()), resource_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(code) = &error_code {
        message.push_str(&format!(" failed: {code}"));
        if let Some(m) = text(&v["errorMessage"]) {
            message.push_str(&format!(": {m}"));
        }
    }
    let mut event = Event::new(id, time, user, action);
    event.user_type = Some(user_type.into());
    event.ip = ip.map(str::to_owned);
    event.operation = Some(name);
    event.service = text(&v["eventSource"]).or_else(|| text(&v["insightDetails"]["eventSource"]));
    event.table = table;
    event.resource_id = resource_id;
    event.message = message;
    event.outcome = outcome.into();
    event.after = after;
    event.meta = meta;
    event.normalize().map_err(|e| e.to_string())?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_come_from_the_leading_verb() {
        for (name, action) in [
            ("CreateBucket", "CREATE"),
            ("PutBucketPolicy", "PUT"),
            ("UpdateFunctionCode20150331v2", "UPDATE"),
            ("DeleteUser", "DELETE"),
            ("GetObject", "READ"),
            ("DescribeInstances", "READ"),
            ("ConsoleLogin", "LOGIN"),
            ("RunInstances", "RUN"),
            ("AssumeRole", "ASSUME"),
            ("Decrypt", "DECRYPT"),
        ] {
            assert_eq!(action_of(name), action, "{name}");
        }
    }

    #[test]
    fn insights_and_identity_center_users_map() {
        let insight = serde_json::json!({"eventVersion": "1.08", "eventTime": "2026-11-20T10:00:00Z",
            "awsRegion": "us-east-1", "eventID": "i-1", "eventType": "AwsCloudTrailInsight",
            "recipientAccountId": "1", "sharedEventID": "s", "eventCategory": "Insight",
            "insightDetails": {"state": "Start", "eventSource": "iam.amazonaws.com",
                "eventName": "DeleteUser", "insightType": "ApiCallRateInsight"}});
        let e = map_record(&insight).unwrap();
        assert_eq!(
            (e.action.as_str(), e.user.as_str()),
            ("INSIGHT", "cloudtrail.amazonaws.com")
        );
        assert_eq!(e.message, "Insight ApiCallRateInsight Start: DeleteUser");
        assert_eq!(e.service.as_deref(), Some("iam.amazonaws.com"));
        let sso = serde_json::json!({"eventID": "s-1", "eventTime": "2026-11-20T10:00:00Z",
            "eventName": "ListBuckets", "eventSource": "s3.amazonaws.com",
            "userIdentity": {"type": "IdentityCenterUser", "onBehalfOf": {"userId": "u-42"}},
            "resources": [{"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::b/logs/"}]});
        let e = map_record(&sso).unwrap();
        assert_eq!(e.user, "u-42");
        assert_eq!(e.resource_id.as_deref(), Some("arn:aws:s3:::b/logs/"));
    }

    #[test]
    fn sniffs_logs_and_digests() {
        assert!(is_log_file(
            b"{\"Records\":[{\"eventVersion\":\"1.08\",\"eventSource\":\"s3\"}]}"
        ));
        assert!(is_log_file(b" {\n  \"Records\" : [ ]\n}"));
        assert!(!is_log_file(b"{\"Records\":[{\"a\":1}]}"));
        assert!(!is_log_file(b"{\"kind\":\"Event\"}"));
        assert!(is_record_line(
            b"{\"eventSource\":\"s3\",\"userIdentity\":{},\"eventID\":\"x\"}"
        ));
        assert!(is_digest(
            b"{\"awsAccountId\":\"1\",\"digestStartTime\":\"2026\"}"
        ));
    }

    #[test]
    fn records_are_numbered_by_their_first_line() {
        let text = "{\"Records\": [\n{\"eventID\": \"a\", \"eventTime\": \"2026-11-01T00:00:00Z\",\n \"eventName\": \"CreateUser\", \"userIdentity\": {\"userName\": \"alice\"}},\n{\"eventID\": \"b\"}\n]}";
        let recs: Vec<Record> = records(text.as_bytes()).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].line, 2);
        assert_eq!(recs[0].event.as_ref().unwrap().action, "CREATE");
        assert_eq!(recs[1].line, 4);
        assert_eq!(
            recs[1].event.as_ref().unwrap_err(),
            "Records[1]: eventTime is missing"
        );
        let bad: Vec<Record> = records("{\"Records\": [\n1,\n".as_bytes()).collect();
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0]
                .event
                .as_ref()
                .unwrap_err()
                .contains("not a CloudTrail")
        );
    }
}
