//! `import FILE…`: append events from files or stdin, all or nothing.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Context, thousands};
use crate::error::Failure;
use crate::import::{self, Source, SourceFormat};
use crate::model::Event;
use crate::store::Store;

/// Import events from JSON Lines or CSV files
///
/// The format is detected from the content (--format overrides). The import is all or
/// nothing: a bad record fails it with its file and line and the store is left as it was,
/// unless --skip-invalid. Events whose id is already in the store are skipped, so importing
/// the same file twice adds nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl import events.jsonl\n  auditctl export -o csv | auditctl --store copy.db import -"
)]
pub struct Args {
    /// Files to import; - reads stdin [default: -]
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Source format [default: detected from the content]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
    /// Import the valid records and report the invalid ones instead of failing
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Csv,
}

impl From<FormatArg> for SourceFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Jsonl => SourceFormat::Jsonl,
            FormatArg::Csv => SourceFormat::Csv,
        }
    }
}

/// A record that was not imported, for the report.
struct Skipped {
    file: String,
    line: usize,
    why: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let paths = import::input_paths(&args.files);
    // Open and sniff every input before touching the store, so that a missing file or an
    // unknown format fails without creating anything.
    let mut sources = Vec::new();
    for path in &paths {
        let mut source =
            Source::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let format = match args.format {
            Some(f) => f.into(),
            None => {
                let head = source
                    .head()
                    .with_context(|| format!("cannot read {}", source.name))?;
                if head.iter().all(u8::is_ascii_whitespace) {
                    // Nothing to import from an empty input.
                    continue;
                }
                import::detect(&head).map_err(|why| {
                    Failure::runtime(format!("{}: {why}", source.name))
                        .with_hint("name the format with --format")
                })?
            }
        };
        sources.push((source, format));
    }

    let store_path = ctx.store_path()?;
    let existed = store_path.exists();
    let mut store = ctx.open_store_for_append()?;
    let skip_invalid = args.skip_invalid;
    let mut skipped: Vec<Skipped> = Vec::new();
    let report = {
        let skipped = &mut skipped;
        let mut events = sources.into_iter().flat_map(|(source, format)| {
            let name = source.name.clone();
            format
                .records(source.reader)
                .map(move |rec| (name.clone(), rec))
        });
        let mut stream = std::iter::from_fn(move || -> Option<anyhow::Result<Event>> {
            loop {
                let (file, rec) = events.next()?;
                match rec.event {
                    Ok(e) => return Some(Ok(e)),
                    Err(why) if skip_invalid => skipped.push(Skipped {
                        file,
                        line: rec.line,
                        why,
                    }),
                    Err(why) => {
                        return Some(Err(Failure::runtime(format!("{file}:{}: {why}", rec.line))
                            .with_hint(
                                "nothing was imported; fix the record or pass --skip-invalid",
                            )
                            .into()));
                    }
                }
            }
        });
        store.append(&mut stream)
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            // A failed first import leaves no empty store behind.
            if !existed {
                drop(store);
                crate::store::sqlite::remove_files(&store_path);
            }
            return Err(e);
        }
    };

    println!(
        "added {} event{}, skipped {} already in the store{}",
        thousands(report.added.len() as u64),
        if report.added.len() == 1 { "" } else { "s" },
        thousands(report.duplicates.len() as u64),
        if skip_invalid {
            format!(", {} invalid", thousands(skipped.len() as u64))
        } else {
            String::new()
        }
    );
    for s in skipped.iter().take(20) {
        eprintln!("skipped {}:{}: {}", s.file, s.line, s.why);
    }
    if skipped.len() > 20 {
        eprintln!(
            "… and {} more invalid records",
            thousands(skipped.len() as u64 - 20)
        );
    }
    Ok(())
}
