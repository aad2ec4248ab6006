use clap::Parser;

fn main() {
    let cli = auditctl::cli::Cli::parse();
    let code = match auditctl::run(cli) {
        Ok(()) => auditctl::error::exit::SUCCESS,
        Err(err) => auditctl::error::report(&err),
    };
    std::process::exit(code);
}
