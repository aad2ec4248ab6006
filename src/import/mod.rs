//! Importers: each source format is one small module that turns a byte stream into numbered
//! records; this module detects the format and reads files, folders, gzip and stdin.

pub mod cloudtrail;
pub mod csv;
pub mod jsonl;
pub mod k8s;
pub mod mapping;
pub mod pipeline;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::Event;

/// A source format `import` understands.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceFormat {
    /// auditctl's own events, one JSON object per line.
    Jsonl,
    /// auditctl's CSV export columns, with a header row.
    Csv,
    /// Kubernetes audit events (`audit.k8s.io/v1`), one per line.
    Kubernetes,
    /// AWS CloudTrail log files (`{"Records": [...]}`).
    CloudTrail,
    /// Any other JSON Lines log, read through a mapping file (`--map`).
    Mapped(Arc<mapping::Mapping>),
}

impl SourceFormat {
    /// The formats detection tries, in order (a mapping is never guessed).
    pub const DETECTED: [SourceFormat; 4] = [
        SourceFormat::Kubernetes,
        SourceFormat::CloudTrail,
        SourceFormat::Jsonl,
        SourceFormat::Csv,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            SourceFormat::Jsonl => "auditctl JSON Lines",
            SourceFormat::Csv => "auditctl CSV",
            SourceFormat::Kubernetes => "Kubernetes audit log",
            SourceFormat::CloudTrail => "AWS CloudTrail",
            SourceFormat::Mapped(_) => "JSON Lines through a mapping file",
        }
    }

    /// Whether one line is a record of this format (line formats only).
    fn is_line(&self, line: &[u8]) -> bool {
        match self {
            SourceFormat::Jsonl => jsonl::is_event_line(line),
            SourceFormat::Kubernetes => k8s::is_event_line(line),
            SourceFormat::CloudTrail => cloudtrail::is_record_line(line),
            SourceFormat::Csv | SourceFormat::Mapped(_) => false,
        }
    }

    /// The records of a stream in this format.
    pub fn records<'a>(
        &'a self,
        reader: Box<dyn BufRead + 'a>,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        match self {
            SourceFormat::Jsonl => Box::new(jsonl::records(reader)),
            SourceFormat::Csv => Box::new(csv::records(reader)),
            SourceFormat::Kubernetes => Box::new(k8s::records(reader)),
            SourceFormat::CloudTrail => Box::new(cloudtrail::records(reader)),
            SourceFormat::Mapped(m) => Box::new(m.records(reader)),
        }
    }
}

/// Whether `needle` occurs in `hay`: the sniffers' test on a head too long to parse.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// A stable id for a record that has none: a UUID (version 8) made from the SHA-256 of its
/// bytes, so that importing the same record again adds nothing.
pub fn content_id(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    uuid::Uuid::new_v8(id).to_string()
}

/// An RFC 3339 time as the store keeps it (UTC).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time: {e}"))
}

/// One record of a source: its line number, and the event or why it is not one.
#[derive(Debug)]
pub struct Record {
    pub line: usize,
    pub event: Result<Event, String>,
}

/// How much of an input detection reads, at least: whole lines, however long, until it has
/// both this many bytes and this many lines (or the input ends).
pub const SAMPLE_BYTES: usize = 64 << 10;
pub const SAMPLE_LINES: usize = 100;

/// Reads whole lines from the start of `reader` until it has `SAMPLE_BYTES` and
/// `SAMPLE_LINES`, or the input ends; a UTF-8 byte-order mark at the start is left out.
pub fn read_sample(reader: &mut dyn BufRead) -> std::io::Result<Vec<u8>> {
    let mut sample = Vec::new();
    let mut lines = 0;
    while sample.len() < SAMPLE_BYTES || lines < SAMPLE_LINES {
        if reader.read_until(b'\n', &mut sample)? == 0 {
            break;
        }
        lines += 1;
    }
    if sample.starts_with(b"\xEF\xBB\xBF") {
        sample.drain(..3);
    }
    Ok(sample)
}

/// The format of an input, from a sample of its first whole lines: a CloudTrail log file by
/// its opening, a CSV export by its header, else the line format that most of the lines agree
/// on. Lines that are no record of any format (a truncated write, another tool's line) do not
/// decide: the import then names them by line. The error names the formats tried.
pub fn detect(sample: &[u8]) -> Result<SourceFormat, String> {
    if cloudtrail::is_log_file(sample) {
        return Ok(SourceFormat::CloudTrail);
    }
    if csv::sniff(sample) {
        return Ok(SourceFormat::Csv);
    }
    let line_formats = [
        SourceFormat::Kubernetes,
        SourceFormat::CloudTrail,
        SourceFormat::Jsonl,
    ];
    let mut votes = [0usize; 3];
    for line in sample.split(|b| *b == b'\n').map(<[u8]>::trim_ascii) {
        if line.is_empty() {
            continue;
        }
        if let Some(i) = line_formats.iter().position(|f| f.is_line(line)) {
            votes[i] += 1;
        }
    }
    // No line is a record of any format: a format they look like, so that the import names
    // each bad line and why (a lone event missing its time, say).
    if votes.iter().all(|v| *v == 0) {
        for line in sample.split(|b| *b == b'\n').map(<[u8]>::trim_ascii) {
            let looks =
                |keys: &[&[u8]]| line.starts_with(b"{") && keys.iter().all(|k| contains(line, k));
            if looks(&[b"\"auditID\"", b"\"Event\""]) {
                votes[0] += 1;
            } else if looks(&[b"\"eventSource\"", b"\"userIdentity\""]) {
                votes[1] += 1;
            } else if looks(&[b"\"action\"", b"\"user\""]) {
                votes[2] += 1;
            }
        }
    }
    // Most votes wins; a tie goes to the first in the order above.
    let best = (0..votes.len())
        .rev()
        .max_by_key(|i| votes[*i])
        .filter(|i| votes[*i] > 0);
    best.map(|i| line_formats[i].clone()).ok_or_else(|| {
        let tried: Vec<&str> = SourceFormat::DETECTED.iter().map(|f| f.name()).collect();
        format!("unrecognised format (tried {})", tried.join(", "))
    })
}

/// A named input: a file, or `-` for stdin.
pub struct Source {
    pub name: String,
    pub reader: Box<dyn BufRead + Send>,
}

impl Source {
    /// Opens a file, or stdin for `-`; gzip is decompressed on the fly, whatever the name.
    pub fn open(path: &Path) -> std::io::Result<Source> {
        let (name, raw): (String, Box<dyn Read + Send>) = if path == Path::new("-") {
            ("<stdin>".into(), Box::new(std::io::stdin()))
        } else {
            (path.display().to_string(), Box::new(File::open(path)?))
        };
        let mut reader = BufReader::with_capacity(1 << 20, raw);
        let reader: Box<dyn BufRead + Send> = if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
            let gz = flate2::bufread::MultiGzDecoder::new(reader);
            Box::new(BufReader::with_capacity(1 << 20, gz))
        } else {
            Box::new(reader)
        };
        Ok(Source { name, reader })
    }

    /// Reads the sample detection decides from (`read_sample`), and keeps it to be read
    /// again as the start of the input.
    pub fn sample(&mut self) -> std::io::Result<Vec<u8>> {
        let sample = read_sample(&mut self.reader)?;
        let rest = std::mem::replace(&mut self.reader, Box::new(std::io::empty()));
        self.reader = Box::new(std::io::Cursor::new(sample.clone()).chain(rest));
        Ok(sample)
    }
}

/// An input sniffed and waiting its turn: stdin stays open (it cannot be opened twice), a
/// file is opened again when it is read, so that a folder of thousands of files holds one
/// open at a time.
pub enum Input {
    Open(Source),
    File(PathBuf),
}

impl Input {
    /// After sniffing: lets go of a regular file, keeps anything else open — stdin, a pipe
    /// (`import <(zcat …)`, a FIFO) or a device can be read only once.
    pub fn of(path: &Path, source: Source) -> Input {
        let regular = path != Path::new("-") && std::fs::metadata(path).is_ok_and(|m| m.is_file());
        if regular {
            Input::File(path.to_owned())
        } else {
            Input::Open(source)
        }
    }

    /// The source to read, opened now if it is a file.
    pub fn open(self) -> Result<Source, (String, String)> {
        match self {
            Input::Open(source) => Ok(source),
            Input::File(path) => {
                let name = path.display().to_string();
                let mut source = Source::open(&path).map_err(|e| (name.clone(), e.to_string()))?;
                // Skips a byte-order mark, as when it was sniffed.
                source.sample().map_err(|e| (name, e.to_string()))?;
                Ok(source)
            }
        }
    }
}

/// One path to import, and whether it was found by expanding a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPath {
    pub path: PathBuf,
    pub in_folder: bool,
}

/// Expands the paths given to `import` (none means stdin): a folder stands for every file
/// below it in name order (as CloudTrail's S3 layout sorts by account, region and date),
/// leaving out hidden files and folders.
pub fn input_paths(paths: &[PathBuf]) -> std::io::Result<Vec<InputPath>> {
    if paths.is_empty() {
        return Ok(vec![InputPath {
            path: PathBuf::from("-"),
            in_folder: false,
        }]);
    }
    let mut inputs = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut inputs)?;
        } else {
            inputs.push(InputPath {
                path: path.clone(),
                in_folder: false,
            });
        }
    }
    Ok(inputs)
}

fn walk(dir: &Path, out: &mut Vec<InputPath>) -> std::io::Result<()> {
    let read = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read)?;
    entries.sort();
    for path in entries {
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(InputPath {
                path,
                in_folder: true,
            });
        }
    }
    Ok(())
}

/// Reads whole lines as UTF-8, numbering them from 1; a line that is not UTF-8 is an error
/// record rather than the end of the input.
/// How the error of a line that could not be read begins: the input ends there, and no
/// `--skip-invalid` may pass over it (the rest of the file would be lost unsaid).
const READ_ERROR: &str = "read error: ";

/// Whether a record's error says its input could not be read, rather than that the record is
/// no valid event.
pub fn is_read_error(why: &str) -> bool {
    why.starts_with(READ_ERROR)
}

pub fn numbered_lines<R: BufRead>(
    mut reader: R,
) -> impl Iterator<Item = (usize, Result<String, String>)> {
    let mut line_no = 0;
    let mut failed = false;
    std::iter::from_fn(move || {
        // A read error (a truncated gzip stream, say) would repeat: it ends the input.
        if failed {
            return None;
        }
        let mut buf = Vec::new();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                line_no += 1;
                while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    buf.pop();
                }
                if line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                    buf.drain(..3);
                }
                Some((
                    line_no,
                    String::from_utf8(buf).map_err(|_| "line is not valid UTF-8".to_owned()),
                ))
            }
            Err(e) => {
                line_no += 1;
                failed = true;
                Some((line_no, Err(format!("{READ_ERROR}{e}"))))
            }
        }
    })
}
