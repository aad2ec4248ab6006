//! auditctl: query, diff, export, verify and revert audit logs from the terminal.
//!
//! The binary is a thin shell around [`run`]; the layers below it are pure where they can be:
//! [`model`], [`query`] and [`change`] do no I/O; [`store`] keeps events; [`render`] prints
//! them; [`commands`] ties the three together for each subcommand.

pub mod api;
pub mod atomic;
pub mod browse;
pub mod change;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod error;
pub mod histogram;
pub mod import;
pub mod integrity;
pub mod interrupt;
pub mod model;
pub mod query;
pub mod redact;
pub mod remote;
pub mod render;
pub mod server;
pub mod store;
pub mod term;
pub mod timespec;

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    commands::run(cli)
}
