//! One module per subcommand, dispatched by one `match`; and what they share: the context
//! (configuration, style, store selection) and the filter, output and paging options.

pub mod checkpoint;
pub mod copy;
pub mod demo;
pub mod diff;
pub mod export;
pub mod filter;
pub mod follow;
pub mod generate;
pub mod history;
pub mod import;
pub mod init;
pub mod list;
pub mod prove;
pub mod record;
pub mod revert;
pub mod serve;
pub mod show;
pub mod stats;
pub mod verify;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::cli::{Cli, Command, GlobalArgs, OutputFormat};
use crate::config::Config;
use crate::error::Failure;
use crate::query::Expr;
use crate::query::quick::QuickFilters;
use crate::redact::Redactor;
use crate::render::{Column, Style};
use crate::store::{self, Backend, Location, SortField, SortKey, Store};
use crate::{term, timespec};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Context::new(cli.global)?;
    match cli.command {
        Command::List(args) => list::run(&ctx, args),
        Command::Browse(args) => crate::browse::run(&ctx, args),
        Command::Filter(args) => filter::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
        Command::History(args) => history::run(&ctx, args),
        Command::Revert(args) => revert::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Checkpoint(args) => checkpoint::run(&ctx, args),
        Command::Prove(args) => prove::run(&ctx, args),
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Token(args) => serve::run_token(args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Record(args) => record::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
        Command::Copy(args) => copy::run(&ctx, args),
        Command::Generate(args) => generate::run(args),
    }
}

/// What every command needs beyond its own arguments.
pub struct Context {
    pub global: GlobalArgs,
    pub config: Config,
    pub style: Style,
    pub redactor: Redactor,
    pub now: DateTime<Utc>,
    /// The local store, sniffed on first use and then kept: its file must not be read again
    /// once a connection to it is open (`store::location`).
    location: std::cell::OnceCell<Location>,
}

impl Context {
    pub fn new(global: GlobalArgs) -> anyhow::Result<Context> {
        Context::with_config(global, Config::load()?)
    }

    /// A context of a given configuration (tests use an empty one, whatever the user's is).
    pub fn with_config(global: GlobalArgs, config: Config) -> anyhow::Result<Context> {
        let style = Style {
            color: term::use_color(global.color.into()),
            utc: global.utc,
            width: term::width(),
        };
        let redactor = Redactor::new(&config.redact.keys).map_err(|why| {
            Failure::usage(format!(
                "config {}: {why}",
                crate::config::path().map_or(String::new(), |p| p.display().to_string())
            ))
        })?;
        Ok(Context {
            global,
            config,
            style,
            redactor,
            now: timespec::now(),
            location: std::cell::OnceCell::new(),
        })
    }

    /// The store path: `--store` / `AUDITCTL_STORE`, else the profile's, else `./audit.db`.
    pub fn store_path(&self) -> anyhow::Result<PathBuf> {
        if let Some(p) = &self.global.store {
            return Ok(p.clone());
        }
        let profile = self.config.profile(self.global.profile.as_deref())?;
        Ok(profile
            .and_then(|p| p.store.clone())
            .unwrap_or_else(|| PathBuf::from("audit.db")))
    }

    /// Where the events are: the server of `--remote` (or the profile's), else the store file
    /// and its kind, found out once per process (`store::location`).
    pub fn location(&self) -> anyhow::Result<&Location> {
        if let Some(l) = self.location.get() {
            return Ok(l);
        }
        let found = match self.remote()? {
            Some((url, token)) => Location::Remote { url, token },
            None => Location::of(&self.store_path()?)?,
        };
        Ok(self.location.get_or_init(|| found))
    }

    /// The back end to read from (and to use what else it can do): the SQLite store, a JSON
    /// Lines file read directly, or a server. A missing file is an error with a hint, never
    /// created.
    pub fn open_store(&self) -> anyhow::Result<Box<dyn Backend>> {
        let backend = self.location()?.open(&self.redactor)?;
        if self.global.reveal && !backend.can_reveal()? {
            eprintln!(
                "auditctl: warning: --reveal: the token lacks the scope {}, so the server still \
                 hides sensitive values",
                crate::api::Scope::ViewSensitive.name()
            );
        }
        Ok(backend)
    }

    /// The remote API and its token: `--remote` / `AUDITCTL_REMOTE`, else the profile's;
    /// `None` for a local store. `--store` wins over a profile's remote.
    pub fn remote(&self) -> anyhow::Result<Option<(String, Option<String>)>> {
        let profile = self.config.profile(self.global.profile.as_deref())?;
        let url = match &self.global.remote {
            Some(url) => url.clone(),
            None if self.global.store.is_some() => return Ok(None),
            None => match profile.and_then(|p| p.remote.clone()) {
                Some(url) => url,
                None => return Ok(None),
            },
        };
        let token = self
            .global
            .token
            .clone()
            .or_else(|| profile.and_then(|p| p.token.clone()));
        Ok(Some((url, token)))
    }

    /// Refuses a command that works on a local store file only, when a remote is chosen.
    pub fn local_only(&self, what: &str) -> anyhow::Result<()> {
        if self.remote()?.is_some() {
            return Err(
                Failure::usage(format!("{what} is not available with --remote"))
                    .with_hint("use --store with a local store file")
                    .into(),
            );
        }
        Ok(())
    }

    /// The back end to append to; a local store is created when absent. A JSON Lines store is
    /// refused.
    pub fn open_store_for_append(&self) -> anyhow::Result<Box<dyn Backend>> {
        self.location()?.open_for_append(&self.redactor)
    }

    /// The redactor for what is printed: none with `--reveal`.
    pub fn output_redactor(&self) -> Option<&Redactor> {
        (!self.global.reveal).then_some(&self.redactor)
    }

    /// Hides sensitive values unless `--reveal`.
    pub fn redact(&self, e: &mut crate::model::Event) {
        if !self.global.reveal {
            self.redactor.apply(e);
        }
    }
}

/// Writes whole events as JSON (one array, or one per line) by copying their stored text,
/// decoding only entries that may hold a value to redact; `each` is told every seq written,
/// with its stored entry.
pub fn write_stored_json(
    ctx: &Context,
    store: &dyn Store,
    query: &store::Query,
    array: bool,
    out: &mut dyn std::io::Write,
    each: &mut dyn FnMut(u64, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use crate::render::EventWriter;
    let mut writer = if array {
        crate::render::json::JsonWriter::array(None, out)
    } else {
        crate::render::json::JsonWriter::lines(None, out)
    };
    let redactor = ctx.output_redactor();
    store.scan_entries_judged(query, redactor, &mut |seq, entry, touched| {
        // An entry the store judged untouched (a file's scan, on its threads) is copied as is.
        writer.write_stored(seq, entry, redactor.filter(|_| touched != Some(false)))?;
        each(seq, entry)?;
        Ok(true)
    })?;
    writer.finish()
}

/// The quick filters of `list`, `stats` and `export` (docs/SPEC.md §3.4). A repeated flag or a
/// comma list OR-s its values; different flags AND.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Events by USER (repeatable, or a comma list)
    #[arg(long, value_name = "USER")]
    pub user: Vec<String>,
    /// Events with ACTION, case-insensitive (e.g. UPDATE)
    #[arg(long, value_name = "ACTION")]
    pub action: Vec<String>,
    /// Events on TABLE (the resource type)
    #[arg(long, value_name = "TABLE")]
    pub table: Vec<String>,
    /// Events on the record with this primary key
    #[arg(long, visible_alias = "pk", value_name = "ID")]
    pub resource_id: Vec<String>,
    /// Events from SERVICE
    #[arg(long, value_name = "SERVICE")]
    pub service: Vec<String>,
    /// Events through ORIGIN (Control Panel, Portal, API, …)
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Vec<String>,
    /// Events with OUTCOME (success or failure)
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Vec<String>,
    /// Events from an IP address or a CIDR network (v4 or v6)
    #[arg(long, value_name = "IP|CIDR")]
    pub ip: Vec<String>,
    /// Events at or after TIME (RFC 3339, YYYY-MM-DD, 2h, 7d, today, …)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Events before TIME
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
    /// Events whose text contains every word of TEXT
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Events where FIELD equals VALUE (e.g. meta.account_id=1234; repeatable)
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    pub wheres: Vec<String>,
    /// Events matching a filter expression (see `auditctl filter --help`)
    #[arg(long, value_name = "EXPR", allow_hyphen_values = true)]
    pub filter: Option<String>,
}

/// `--limit`: a count of events to show, 1 or more (as the API takes it; `--all` is every one).
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (--all prints every event)".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Tells the user, on stderr, that a query matched nothing (stdout stays empty for a table).
pub fn say_no_match() {
    eprintln!("no events match");
}

impl FilterArgs {
    pub fn to_expr(&self, now: DateTime<Utc>) -> anyhow::Result<Expr> {
        let quick = QuickFilters {
            user: self.user.clone(),
            action: self.action.clone(),
            table: self.table.clone(),
            resource_id: self.resource_id.clone(),
            service: self.service.clone(),
            origin: self.origin.clone(),
            outcome: self.outcome.clone(),
            ip: self.ip.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            search: self.search.clone(),
            wheres: self.wheres.clone(),
        };
        let mut parts = vec![quick.to_expr(now)?];
        if let Some(text) = &self.filter {
            parts.push(crate::query::parse(text, now)?);
        }
        Ok(Expr::and(parts))
    }
}

/// How events are printed.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format [default: table]
    #[arg(short = 'o', long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// Columns to print, in order (e.g. seq,time,user,action)
    #[arg(long, value_name = "LIST", value_parser = parse_columns)]
    pub columns: Option<Columns>,
}

/// A parsed `--columns` list.
#[derive(Debug, Clone)]
pub struct Columns(pub Vec<Column>);

pub fn parse_columns(text: &str) -> Result<Columns, String> {
    let cols = Column::parse_list(text)?;
    if cols.is_empty() {
        return Err("give at least one column".into());
    }
    Ok(Columns(cols))
}

/// How many events `list` and `filter` print unless told otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// Which slice of the events, in which order.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Paging and order")]
pub struct PageArgs {
    /// Print at most N events, N ≥ 1 [default: 50]
    #[arg(short = 'n', long, value_name = "N", value_parser = at_least_one)]
    pub limit: Option<usize>,
    /// Skip the first N events
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Print every matching event (no limit)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Sort by FIELD, -FIELD for descending (repeatable) [default: -time]
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true, value_parser = parse_sort_key)]
    pub sort: Vec<SortKey>,
    /// Reverse the order (oldest first by default)
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// Print the last matching events oldest first, then each new one as it is appended,
    /// until interrupted (like tail -f)
    #[arg(short = 'f', long, conflicts_with_all = ["offset", "sort", "reverse"])]
    pub follow: bool,
}

fn parse_sort_key(text: &str) -> Result<SortKey, String> {
    let (name, descending) = match text.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (text.strip_prefix('+').unwrap_or(text), false),
    };
    let field = SortField::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = SortField::NAMES.iter().map(|(n, _)| *n).collect();
        format!("cannot sort by {name:?}; fields: {}", known.join(", "))
    })?;
    Ok(SortKey { field, descending })
}

impl PageArgs {
    /// The order: the given keys (newest first when none), all flipped by `--reverse`.
    pub fn order(&self) -> Vec<SortKey> {
        let mut keys = if self.sort.is_empty() {
            vec![SortKey {
                field: SortField::Time,
                descending: true,
            }]
        } else {
            self.sort.clone()
        };
        if self.reverse {
            for k in &mut keys {
                k.descending = !k.descending;
            }
        }
        keys
    }

    /// The limit: none with `--all`, else `--limit`, else 50.
    pub fn limit(&self) -> Option<usize> {
        (!self.all).then_some(self.limit.unwrap_or(DEFAULT_LIMIT))
    }
}

pub use crate::render::thousands;
