//! The command line: clap types only (the parser, global options, shared value enums).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

/// Query, diff, export, verify and revert audit logs
///
/// auditctl answers who changed what, when, from which IP, on which record, and what exactly
/// changed, from a local store file (SQLite, append-only and tamper-evident), a PostgreSQL
/// database shared by a team, or a server.
#[derive(Debug, Parser)]
#[command(
    name = "auditctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Store to use: a file, or a PostgreSQL URL (postgres://…) [default: the profile's store,
    /// else ./audit.db]
    #[arg(
        long,
        global = true,
        env = "AUDITCTL_STORE",
        value_name = "PATH|URL",
        hide_env_values = true
    )]
    pub store: Option<PathBuf>,

    /// Audit API to use instead of a store file (see `auditctl serve`)
    #[arg(
        long,
        global = true,
        env = "AUDITCTL_REMOTE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub remote: Option<String>,

    /// Bearer token for --remote
    #[arg(
        long,
        global = true,
        env = "AUDITCTL_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// Configuration profile to use [default: default_profile of the config]
    #[arg(long, global = true, env = "AUDITCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Show times in UTC instead of the local zone
    #[arg(long, global = true)]
    pub utc: bool,

    /// Never page output
    #[arg(long, global = true)]
    pub no_pager: bool,

    /// Show sensitive values instead of [redacted]
    #[arg(long, global = true)]
    pub reveal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl From<ColorChoice> for crate::term::ColorWhen {
    fn from(c: ColorChoice) -> Self {
        match c {
            ColorChoice::Auto => crate::term::ColorWhen::Auto,
            ColorChoice::Always => crate::term::ColorWhen::Always,
            ColorChoice::Never => crate::term::ColorWhen::Never,
        }
    }
}

/// An output format of commands that print events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Jsonl,
    Csv,
}

impl From<OutputFormat> for crate::render::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table => crate::render::Format::Table,
            OutputFormat::Json => crate::render::Format::Json,
            OutputFormat::Jsonl => crate::render::Format::Jsonl,
            OutputFormat::Csv => crate::render::Format::Csv,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    List(commands::list::Args),
    Browse(crate::browse::Args),
    Filter(commands::filter::Args),
    Show(commands::show::Args),
    Diff(commands::diff::Args),
    History(commands::history::Args),
    Revert(commands::revert::Args),
    Export(commands::export::Args),
    Stats(commands::stats::Args),
    Verify(commands::verify::Args),
    Checkpoint(commands::checkpoint::Args),
    Prove(commands::prove::Args),
    Serve(commands::serve::Args),
    Token(commands::serve::TokenArgs),
    Import(commands::import::Args),
    Record(commands::record::Args),
    Demo(commands::demo::Args),
    Init(commands::init::Args),
    Copy(commands::copy::Args),
    #[command(hide = true)]
    Generate(commands::generate::Args),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
