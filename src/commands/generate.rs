//! `generate` (hidden): completions and man pages from the clap definitions, for the checked-in
//! `completions/` and `man/` folders.

mod man;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Write shell completions and man pages
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to generate
    #[arg(value_enum)]
    pub what: What,
    /// Folder to write into
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Completions,
    Man,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    match args.what {
        What::Completions => write_completions(&args.dir),
        What::Man => write_man_pages(&args.dir),
    }
}

/// bash, zsh, fish, elvish and PowerShell completions.
pub fn write_completions(dir: &Path) -> anyhow::Result<()> {
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut cmd = without_hidden_subcommands(Cli::command());
        clap_complete::generate_to(shell, &mut cmd, "auditctl", dir)
            .with_context(|| format!("cannot write {shell} completions"))?;
    }
    Ok(())
}

/// The command line as completions should offer it. clap_complete's generators list hidden
/// subcommands too (clap-rs/clap#1335), so `auditctl <TAB>` would offer `generate`; and clap
/// cannot remove a subcommand, so the root is assembled again from `Cli`'s own arguments and
/// settings and its visible subcommands. Nothing of the command line is restated here.
fn without_hidden_subcommands(full: clap::Command) -> clap::Command {
    let mut root = clap::Command::new(full.get_name().to_owned())
        .propagate_version(full.is_propagate_version_set())
        .args(full.get_arguments().cloned())
        .groups(full.get_groups().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    if let Some(about) = full.get_about() {
        root = root.about(about.clone());
    }
    if let Some(about) = full.get_long_about() {
        root = root.long_about(about.clone());
    }
    if let Some(version) = full.get_version() {
        root = root.version(version.to_owned());
    }
    root
}

/// `auditctl.1` and one page per visible subcommand, at every level (`auditctl-list.1`,
/// `auditctl-token-new.1`, …), so every page another one names exists.
pub fn write_man_pages(dir: &Path) -> anyhow::Result<()> {
    let mut cli = without_help_subcommand(Cli::command());
    // Built as the parser builds it: global options reach every subcommand, and each gets the
    // name its usage shows (`auditctl list`).
    cli.build();
    write_pages(dir, &cli, true)
}

/// `help` is a subcommand of the parser, not a page: leave it out at every level.
fn without_help_subcommand(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_subcommand(true)
        .mut_subcommands(without_help_subcommand)
}

fn write_pages(dir: &Path, cmd: &clap::Command, root: bool) -> anyhow::Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let page = man::page(cmd, root).with_context(|| format!("cannot render {name}.1"))?;
    std::fs::write(dir.join(format!("{name}.1")), page)
        .with_context(|| format!("cannot write {name}.1"))?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(dir, sub, false)?;
    }
    Ok(())
}
