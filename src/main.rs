use clap::Parser;

// glibc's malloc serialises threads that free what another thread allocated (an import's
// entries are made on one thread and written on another, a scan's on workers): mimalloc frees
// across threads without a lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match auditctl::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors carry the same `auditctl: error:` prefix as every other error (exit 2);
        // --help and --version print as clap prints them.
        Err(err) if err.use_stderr() => {
            eprint!(
                "auditctl: {}",
                auditctl::render::visible(&err.render().to_string(), true)
            );
            std::process::exit(auditctl::error::exit::USAGE);
        }
        Err(err) => err.exit(),
    };
    let code = match auditctl::run(cli) {
        Ok(()) => auditctl::error::exit::SUCCESS,
        Err(err) => auditctl::error::report(&err),
    };
    std::process::exit(code);
}
