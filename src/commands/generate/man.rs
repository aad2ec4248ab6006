//! One man page from a built clap command: clap_mangen's sections, a SYNOPSIS as clap's usage
//! renders it, EXAMPLES from the command's `after_help` (one per line), and the sections every
//! page shares: EXIT STATUS, ENVIRONMENT and FILES.

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::error::exit;

/// The exit codes, as the README's "Exit codes" table gives them (`error::exit`).
const EXIT_STATUS: [(i32, &str); 7] = [
    (
        exit::SUCCESS,
        "Success, also when nothing matches, and when the reader closed the pipe \
         (auditctl list | head -1).",
    ),
    (
        exit::RUNTIME,
        "Runtime error: I/O, the store, the network, a bad input file, a missing token or scope.",
    ),
    (
        exit::USAGE,
        "Usage error: a bad flag, TIME, field, column or filter, or a bad --map mapping file.",
    ),
    (exit::INTEGRITY, "Integrity failure."),
    (exit::REVERT_REFUSED, "Revert refused."),
    (exit::NOT_FOUND, "Event not found."),
    (
        exit::INTERRUPTED,
        "Interrupted (Ctrl-C or SIGTERM during an export or an import, which then changed \
         nothing).",
    ),
];

/// Every environment variable auditctl reads (`env =` of the clap definitions, and
/// `std::env::var` in `config`, `term`, `timespec` and `remote`).
const ENVIRONMENT: [(&str, &str); 15] = [
    ("AUDITCTL_STORE", "The store file, as --store."),
    ("AUDITCTL_REMOTE", "The audit API to use, as --remote."),
    (
        "AUDITCTL_TOKEN",
        "The bearer token for --remote, as --token.",
    ),
    (
        "AUDITCTL_PROFILE",
        "The profile of the configuration file, as --profile.",
    ),
    (
        "AUDITCTL_USER",
        "The user that record and revert record when --user or --as is not given; else \
         USER, else LOGNAME, else what id -un prints.",
    ),
    (
        "AUDITCTL_PAGER, PAGER",
        "The pager of show and diff on a terminal, in this order; else less -FRX. Empty or cat \
         prints directly, as --no-pager does.",
    ),
    ("LESS", "Options of the pager less; FRX when unset."),
    (
        "NO_COLOR",
        "Set and not empty: no colour with --color auto (the default).",
    ),
    ("TERM", "dumb: no colour with --color auto."),
    (
        "COLUMNS",
        "The width tables fit, also when piped; unset, the terminal's width, and output that \
         is not a terminal is not cut.",
    ),
    (
        "TZ",
        "The local time zone: times are shown in it unless --utc, and dates and local times \
         given as TIME are read in it.",
    ),
    (
        "XDG_CONFIG_HOME, HOME",
        "Where the configuration file is (see FILES).",
    ),
    (
        "XDG_STATE_HOME",
        "Where --remote keeps the checkpoints it verified (see FILES).",
    ),
    (
        "AUDITCTL_NOW",
        "An RFC 3339 time that stands for now, so relative TIME values repeat (for tests).",
    ),
    (
        "AUDITCTL_TABLE, AUDITCTL_RESOURCE_ID, AUDITCTL_ACTION",
        "Set for the command of revert --exec: the record and the compensating action.",
    ),
];

/// The files auditctl reads and writes beyond those named on the command line.
const FILES: [(&str, &str); 7] = [
    (
        "$XDG_CONFIG_HOME/auditctl/config.toml, else ~/.config/auditctl/config.toml",
        "The configuration: default_profile, [profiles.NAME] with store, remote and token, and \
         [redact] keys. A missing file is an empty configuration.",
    ),
    (
        "./audit.db",
        "The store when neither --store, AUDITCTL_STORE nor the profile names one. SQLite \
         keeps audit.db-wal and audit.db-shm beside it: they belong to the store.",
    ),
    (
        ".NAME.XXXXXX.building",
        "A store a first import is building beside its path, linked into place when complete; \
         one left by a killed import is removed by the next command that makes a store in \
         that folder.",
    ),
    (
        "$XDG_STATE_HOME/auditctl/servers/, else ~/.local/state/auditctl/servers/",
        "The last checkpoint verified of each --remote server, one file per URL \
         (URL-HASH.checkpoint); delete one to trust that server's current log afresh.",
    ),
    (
        "the tokens file (serve --tokens FILE, token new --tokens FILE)",
        "TOML [[token]] entries of name, scopes and the token's SHA-256, never the token; \
         written whole at mode 0600.",
    ),
    (
        "the key files (checkpoint --new-key FILE)",
        "FILE, the private signing key (mode 0600), and FILE.pub, the public key that verify \
         --pub takes.",
    ),
    (
        "the cursor file (export --cursor-file FILE)",
        "The seq of the last event exported, replaced once an export is complete.",
    ),
];

/// The page of `cmd`, a subcommand of a built `Cli` (or the root itself, `root`).
pub fn page(cmd: &clap::Command, root: bool) -> std::io::Result<Vec<u8>> {
    let version = cmd.get_version().unwrap_or_default();
    let cmd = if root {
        cmd.clone()
    } else {
        // The options every command takes, apart from the command's own.
        cmd.clone().mut_args(|a| {
            if a.is_global_set() {
                a.help_heading("Global options")
            } else {
                a
            }
        })
    };
    let man = Man::new(cmd.clone())
        .date("")
        .source(format!("auditctl {version}"));
    let mut page = Page::new();
    page.add(|w| man.render_title(w))?;
    page.add(|w| man.render_name_section(w))?;
    page.roff(synopsis(&cmd, root));
    page.add(|w| man.render_description_section(w))?;
    page.add(|w| man.render_options_section(w))?;
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        page.add(|w| man.render_subcommands_section(w))?;
    }
    if cmd.get_name() == "browse" {
        page.roff(keys());
    }
    page.roff(shared_sections());
    match examples(&cmd) {
        Some(examples) => page.roff(examples),
        // Text after the help that is not examples keeps clap_mangen's section.
        None if cmd.get_after_help().is_some() => page.add(|w| man.render_extra_section(w))?,
        None => {}
    }
    page.roff(see_also(&cmd, root));
    if root {
        page.add(|w| man.render_version_section(w))?;
    }
    Ok(page.text.into_bytes())
}

/// A page put together from sections rendered one by one, each of which `roff` starts with the
/// same preamble (the definition of `\*(Aq`): the page keeps it once.
struct Page {
    preamble: String,
    text: String,
}

impl Page {
    fn new() -> Page {
        let preamble = Roff::new().render();
        Page {
            text: preamble.clone(),
            preamble,
        }
    }

    fn add(
        &mut self,
        render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut buf = Vec::new();
        render(&mut buf)?;
        let text = String::from_utf8(buf).map_err(std::io::Error::other)?;
        self.text
            .push_str(text.strip_prefix(&self.preamble).unwrap_or(&text));
        Ok(())
    }

    fn roff(&mut self, roff: Roff) {
        let text = roff.render();
        self.text
            .push_str(text.strip_prefix(&self.preamble).unwrap_or(&text));
    }
}

/// The usage as clap prints it (`auditctl history [OPTIONS] <TABLE> <RESOURCE_ID>`), and below
/// a subcommand's, the usage of each of its own (`auditctl token new …`), one a line.
fn synopsis(cmd: &clap::Command, root: bool) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]);
    let mut commands = vec![cmd.clone()];
    if !root {
        commands.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    }
    for (i, mut c) in commands.into_iter().enumerate() {
        let usage = c.render_usage().to_string();
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        let name = c.get_bin_name().unwrap_or(c.get_name()).to_owned();
        if i > 0 {
            roff.control("br", []);
        }
        match usage.strip_prefix(name.as_str()) {
            Some(rest) => roff.text([bold(name.as_str()), roman(rest)]),
            None => roff.text([roman(usage)]),
        };
    }
    roff
}

/// EXIT STATUS, ENVIRONMENT and FILES: the same on every page.
fn shared_sections() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(meaning)]);
    }
    roff.control("TP", []);
    roff.text([bold("128+N")]);
    roff.text([roman(
        "browse ended by signal N (SIGHUP 129, SIGINT 130, SIGQUIT 131, SIGTERM 143), the \
         terminal restored.",
    )]);
    roff.control("PP", []);
    roff.text([roman(
        "Errors go to stderr as auditctl: error: …, with a hint: line where one helps.",
    )]);
    for (title, entries) in [("ENVIRONMENT", &ENVIRONMENT[..]), ("FILES", &FILES[..])] {
        roff.control("SH", [title]);
        for (name, meaning) in entries {
            roff.control("TP", []);
            roff.text([bold(*name)]);
            roff.text([roman(*meaning)]);
        }
    }
    roff
}

/// The viewer's keys, as its `?` shows them.
fn keys() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["KEYS"]);
    for (key, what) in crate::browse::view::KEYS {
        roff.control("TP", []);
        roff.text([bold(key)]);
        roff.text([roman(what)]);
    }
    roff
}

/// The command's `after_help` ("Examples:" and one indented command a line) as an EXAMPLES
/// section that keeps each line a line.
fn examples(cmd: &clap::Command) -> Option<Roff> {
    let text = cmd.get_after_help()?.to_string();
    let mut lines = text.lines();
    let heading = lines.next()?.trim().trim_end_matches(':');
    if !heading.eq_ignore_ascii_case("examples") && !heading.eq_ignore_ascii_case("example") {
        return None;
    }
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    roff.control("RS", ["4"]);
    roff.control("nf", []);
    for line in lines {
        roff.text([roman(line.strip_prefix("  ").unwrap_or(line))]);
    }
    roff.control("fi", []);
    roff.control("RE", []);
    Some(roff)
}

/// The other pages, and the reference documents of the source repository.
fn see_also(cmd: &clap::Command, root: bool) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["SEE ALSO"]);
    if !root {
        let parent = cmd
            .get_display_name()
            .and_then(|n| n.rsplit_once('-'))
            .map_or("auditctl", |(parent, _)| parent);
        roff.text([bold(parent), roman("(1), ")]);
    }
    roff.text([
        italic("docs/SPEC.md"),
        roman(" (the behaviour) and "),
        italic("docs/REMOTE_API.md"),
        roman(" (the HTTP API of serve and --remote) in the source repository."),
    ]);
    roff
}
