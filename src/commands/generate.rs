//! `generate` (hidden): completions and man pages from the clap definitions, for the checked-in
//! `completions/` and `man/` folders.

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
        let mut cmd = Cli::command();
        clap_complete::generate_to(shell, &mut cmd, "auditctl", dir)
            .with_context(|| format!("cannot write {shell} completions"))?;
    }
    Ok(())
}

/// `auditctl.1` and one page per visible subcommand (`auditctl-list.1`, …).
pub fn write_man_pages(dir: &Path) -> anyhow::Result<()> {
    let cmd = Cli::command();
    write_page(dir, "auditctl", cmd.clone())?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("auditctl-{}", sub.get_name());
        write_page(dir, &name, sub.clone().name(name.clone()))?;
    }
    Ok(())
}

fn write_page(dir: &Path, name: &str, cmd: clap::Command) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .date("")
        .render(&mut buf)
        .with_context(|| format!("cannot render {name}.1"))?;
    std::fs::write(dir.join(format!("{name}.1")), buf)
        .with_context(|| format!("cannot write {name}.1"))?;
    Ok(())
}
