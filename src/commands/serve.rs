//! `serve`: the audit HTTP API over a store; `token new`: API tokens for it.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::Context;
use crate::error::Failure;
use crate::server::{self, tokens};

/// Serve the store over the audit HTTP API (docs/REMOTE_API.md)
///
/// Every request needs a bearer token from --tokens, with the scope its endpoint needs.
/// Without --tokens, every request is accepted, and only a loopback address may be used.
/// SIGINT or SIGTERM stops the server after the requests in flight.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl token new --tokens tokens.toml --name ci --scope view\n  auditctl serve --store /var/lib/audit.db --listen 0.0.0.0:8080 --tokens tokens.toml"
)]
pub struct Args {
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The tokens file (`token new` writes it)
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// Requests per second each token may make (twice as many at once); beyond, 429
    #[arg(long, value_name = "N", default_value_t = server::DEFAULT_RATE)]
    pub rate: u32,
    /// Seconds a client may take to send a request's headers before it is cut off
    #[arg(long, value_name = "SECS", default_value_t = server::HEADER_TIMEOUT.as_secs())]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body (408 after)
    #[arg(long, value_name = "SECS", default_value_t = server::BODY_TIMEOUT.as_secs())]
    pub body_timeout: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    ctx.local_only("serve")?;
    let tokens = args
        .tokens
        .as_deref()
        .map(tokens::Tokens::load)
        .transpose()?;
    server::serve(
        ctx.location()?.clone(),
        server::Options {
            listen: args.listen,
            tokens,
            rate: args.rate,
            header_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
            body_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
        },
        ctx.redactor.clone(),
    )
}

/// Manage API tokens for `serve`
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token: print it once on stdout and add its hash to the tokens file
    New {
        /// The tokens file (created when missing, mode 0600)
        #[arg(long, value_name = "FILE")]
        tokens: PathBuf,
        /// A name for the token, shown in the server's log
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A scope: view, view_sensitive, write, revert (or audit_log:…); repeatable
        #[arg(
            long = "scope",
            value_name = "SCOPE",
            required = true,
            value_delimiter = ','
        )]
        scopes: Vec<String>,
    },
}

pub fn run_token(args: TokenArgs) -> anyhow::Result<()> {
    match args.command {
        TokenCommand::New {
            tokens: path,
            name,
            scopes,
        } => {
            let scopes = scopes
                .iter()
                .map(|s| {
                    tokens::Scope::parse(s).ok_or_else(|| {
                        Failure::usage(format!(
                            "unknown scope {s:?}; scopes are view, view_sensitive, write, revert"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let token = tokens::new_token(&path, &name, &scopes)?;
            println!("{token}");
            Ok(())
        }
    }
}
