//! Importers: each source format is one small module that turns a byte stream into numbered
//! records; this module detects the format and reads files and stdin.

pub mod csv;
pub mod jsonl;
pub mod k8s;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::model::Event;

/// A source format `import` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// auditctl's own events, one JSON object per line.
    Jsonl,
    /// auditctl's CSV export columns, with a header row.
    Csv,
    /// Kubernetes audit events (`audit.k8s.io/v1`), one per line.
    Kubernetes,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 3] = [
        SourceFormat::Kubernetes,
        SourceFormat::Jsonl,
        SourceFormat::Csv,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jsonl => "auditctl JSON Lines",
            SourceFormat::Csv => "auditctl CSV",
            SourceFormat::Kubernetes => "Kubernetes audit log",
        }
    }

    /// Whether the start of a file looks like this format.
    fn sniff(self, head: &[u8]) -> bool {
        match self {
            SourceFormat::Jsonl => jsonl::sniff(head),
            SourceFormat::Csv => csv::sniff(head),
            SourceFormat::Kubernetes => k8s::sniff(head),
        }
    }

    /// The records of a stream in this format; `lookup` gives the state of a Kubernetes
    /// object already in the store.
    pub fn records_with<'a>(
        self,
        reader: Box<dyn BufRead + 'a>,
        lookup: k8s::Lookup<'a>,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        match self {
            SourceFormat::Kubernetes => Box::new(k8s::records_with(reader, lookup)),
            other => other.records(reader),
        }
    }

    /// The records of a stream in this format.
    pub fn records<'a>(
        self,
        reader: Box<dyn BufRead + 'a>,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        match self {
            SourceFormat::Jsonl => Box::new(jsonl::records(reader)),
            SourceFormat::Csv => Box::new(csv::records(reader)),
            SourceFormat::Kubernetes => Box::new(k8s::records(reader)),
        }
    }
}

/// One record of a source: its line number, and the event or why it is not one.
#[derive(Debug)]
pub struct Record {
    pub line: usize,
    pub event: Result<Event, String>,
}

/// Detects the format from the first bytes; the error names the formats tried.
pub fn detect(head: &[u8]) -> Result<SourceFormat, String> {
    SourceFormat::ALL
        .into_iter()
        .find(|f| f.sniff(head))
        .ok_or_else(|| {
            let tried: Vec<&str> = SourceFormat::ALL.iter().map(|f| f.name()).collect();
            format!("unrecognised format (tried {})", tried.join(", "))
        })
}

/// A named input: a file, or `-` for stdin.
pub struct Source {
    pub name: String,
    pub reader: Box<dyn BufRead + Send>,
}

impl Source {
    pub fn open(path: &Path) -> std::io::Result<Source> {
        if path == Path::new("-") {
            return Ok(Source {
                name: "<stdin>".into(),
                reader: Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())),
            });
        }
        let file = File::open(path)?;
        Ok(Source {
            name: path.display().to_string(),
            reader: Box::new(BufReader::with_capacity(1 << 20, file)),
        })
    }

    /// Peeks at the first bytes without consuming them, skipping a UTF-8 byte-order mark.
    pub fn head(&mut self) -> std::io::Result<Vec<u8>> {
        let buf = self.reader.fill_buf()?;
        if buf.starts_with(b"\xEF\xBB\xBF") {
            self.reader.consume(3);
        }
        Ok(self.reader.fill_buf()?.to_vec())
    }
}

/// Expands the paths given to `import` (none means stdin).
pub fn input_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths.to_vec()
    }
}

/// Reads whole lines as UTF-8, numbering them from 1; a line that is not UTF-8 is an error
/// record rather than the end of the input.
pub fn numbered_lines<R: BufRead>(
    mut reader: R,
) -> impl Iterator<Item = (usize, Result<String, String>)> {
    let mut line_no = 0;
    std::iter::from_fn(move || {
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                line_no += 1;
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                Some((
                    line_no,
                    String::from_utf8(buf).map_err(|_| "line is not valid UTF-8".to_owned()),
                ))
            }
            Err(e) => {
                line_no += 1;
                Some((line_no, Err(format!("read error: {e}"))))
            }
        }
    })
}
