//! ArcSight Common Event Format (CEF) lines for SIEM systems: one line per event,
//! `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`.

use std::io::Write;

use super::{EventWriter, data_text};
use crate::model::Event;

pub struct CefWriter<'a> {
    out: &'a mut dyn Write,
    line: String,
}

impl<'a> CefWriter<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        CefWriter {
            out,
            line: String::new(),
        }
    }
}

/// Severity 0–10 from the action and outcome: a delete or an export weighs more than an
/// update, an update more than a read or login, and a failure adds 3 (a failed attempt is
/// what a SIEM should look at first).
pub fn severity(action: &str, outcome: &str) -> u8 {
    let base: u8 = match action {
        "DELETE" => 6,
        "EXPORT" => 5,
        "LOGIN" | "LOGOUT" | "READ" | "GET" | "LIST" => 2,
        _ => 4,
    };
    if outcome == "failure" {
        (base + 3).min(10)
    } else {
        base
    }
}

/// A header field: `\` and `|` are escaped; a line break would end the record, so it becomes
/// a space.
fn header(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// An extension value: `\`, `=` and line breaks are escaped, as the CEF specification asks.
fn value(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Writes the CEF line of one event into `out` (without the line end).
pub fn line(out: &mut String, e: &Event) {
    out.push_str("CEF:0|auditctl|auditctl|");
    header(out, env!("CARGO_PKG_VERSION"));
    out.push('|');
    header(out, &e.action);
    out.push('|');
    header(out, &e.message);
    out.push_str(&format!("|{}|", severity(&e.action, &e.outcome)));

    let mut first = true;
    let mut ext = |key: &str, text: &str| {
        if text.is_empty() {
            return;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(key);
        out.push('=');
        value(out, text);
    };
    ext("rt", &e.time.timestamp_millis().to_string());
    ext("suser", &e.user);
    if let Some(ip) = &e.ip {
        // CEF's src holds IPv4; IPv6 goes to the custom IPv6 field.
        if ip.contains(':') {
            ext("c6a2Label", "ip");
            ext("c6a2", ip);
        } else {
            ext("src", ip);
        }
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for (n, label, text) in [
        (1, "table", opt(&e.table)),
        (2, "resource_id", opt(&e.resource_id)),
        (3, "service", opt(&e.service)),
        (4, "origin", opt(&e.origin)),
        (5, "operation", opt(&e.operation)),
        (6, "reverts", opt(&e.reverts)),
    ] {
        if !text.is_empty() {
            ext(&format!("cs{n}Label"), label);
            ext(&format!("cs{n}"), &text);
        }
    }
    ext("outcome", &e.outcome);
    ext("act", &e.action);
    ext("msg", &e.message);
    ext("externalId", &e.id);
    if let Some(t) = &e.user_type {
        ext("flexString1Label", "user_type");
        ext("flexString1", t);
    }
    if !e.meta.is_empty() {
        ext("flexString2Label", "meta");
        ext(
            "flexString2",
            &data_text(Some(&serde_json::Value::Object(e.meta.clone()))),
        );
    }
}

impl EventWriter for CefWriter<'_> {
    fn write(&mut self, e: &Event) -> anyhow::Result<()> {
        self.line.clear();
        line(&mut self.line, e);
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_header_and_extensions() {
        let e: Event = serde_json::from_value(json!({
            "id": "e-1", "time": "2026-11-20T10:00:00Z", "user": "a=b\\c",
            "action": "UPDATE", "message": "set a|b = c\\d\nnext", "outcome": "failure",
            "ip": "2001:db8::1", "table": "pol|icies", "meta": {"k": "x=y"},
        }))
        .unwrap();
        let mut out = String::new();
        line(&mut out, &e);
        assert_eq!(
            out,
            format!(
                "CEF:0|auditctl|auditctl|{}|UPDATE|set a\\|b = c\\\\d next|7|rt=1795168800000 \
                 suser=a\\=b\\\\c c6a2Label=ip c6a2=2001:db8::1 cs1Label=table cs1=pol|icies \
                 outcome=failure act=UPDATE msg=set a|b \\= c\\\\d\\nnext externalId=e-1 \
                 flexString2Label=meta flexString2={{\"k\":\"x\\=y\"}}",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn severity_by_action_and_outcome() {
        assert_eq!(severity("READ", "success"), 2);
        assert_eq!(severity("UPDATE", "success"), 4);
        assert_eq!(severity("DELETE", "failure"), 9);
    }
}
