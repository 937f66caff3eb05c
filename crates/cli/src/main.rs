//! `backoffice`: the console's operations for scripts and scheduled jobs.

mod audit;
mod card;
mod findings;
mod fixes;
mod indexes;
mod input;
mod mapped_orders;
mod mapped_users;
mod notify;
mod operator;
mod order_filters;
mod order_text;
mod orders;
mod outbox;
mod output;
mod profile;
mod schema;
mod seed;
mod signin;
mod target;
mod users;
mod validate;

use clap::{Parser, Subcommand};

use backoffice_core::Result;
use output::Out;

#[derive(Parser)]
#[command(
    name = "backoffice",
    version,
    about = "Backoffice admin console, command-line edition"
)]
struct Cli {
    /// Database URL: sqlite:PATH, postgres://USER@HOST/DB, mysql://USER@HOST/DB
    #[arg(long, global = true, env = "BACKOFFICE_DB", conflicts_with = "profile")]
    db: Option<String>,
    /// A saved connection profile (see `backoffice profile list`).
    #[arg(long, global = true, env = "BACKOFFICE_PROFILE")]
    profile: Option<String>,
    /// The back end's schema mapping (TOML; see `schema detect`), over the
    /// profile's.
    #[arg(long, global = true, env = "BACKOFFICE_MAPPING")]
    mapping: Option<std::path::PathBuf>,
    /// Sign in as this console operator (password from BACKOFFICE_PASSWORD
    /// or a prompt).
    #[arg(long, global = true, env = "BACKOFFICE_OPERATOR")]
    operator: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bring the console's tables up to date (an empty database becomes
    /// the demo back end).
    Migrate,
    /// Create the console's tables beside an existing back end's (and
    /// nothing else); run again to update them.
    Attach,
    /// The back end's schema: detect a mapping, check it, show it; the
    /// console's tables' DDL for a DBA.
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Fill an empty database with demo data (deterministic for a seed).
    Seed(seed::SeedArgs),
    /// Create the demo database and its `demo` profile, unless they exist.
    Demo(seed::DemoArgs),
    /// Row counts of the main tables.
    Stats,
    /// Manage connection profiles (passwords go to the OS keychain).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Console operators and their roles.
    #[command(subcommand)]
    Operator(operator::OperatorCommand),
    /// Search users, read their trouble card, act on accounts.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Orders: find, read, transition, cancel, refund, note, bulk.
    #[command(subcommand)]
    Orders(orders::OrdersCommand),
    /// Validation: the rule catalogue and sweeps over the whole database.
    #[command(subcommand)]
    Validate(validate::ValidateCommand),
    /// The findings worklist: summary, list, accept.
    #[command(subcommand)]
    Findings(findings::FindingsCommand),
    /// The audit log: list entries, verify the hash chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Notifications: templates, preview, send, bulk.
    #[command(subcommand)]
    Notify(notify::NotifyCommand),
    /// The notification outbox: list, show, retry, cancel, dispatch.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
}

async fn run(cli: Cli, out: &Out) -> Result<()> {
    let chosen = target::Chosen {
        db: cli.db.as_deref(),
        profile: cli.profile.as_deref(),
        mapping: cli.mapping.as_deref(),
    };
    let who = cli.operator.as_deref();
    match cli.command {
        Command::Migrate => seed::migrate(&chosen, out).await,
        Command::Attach => schema::attach(&chosen, out).await,
        Command::Schema(cmd) => schema::run(cmd, &chosen, out).await,
        Command::Seed(args) => seed::seed(&chosen, args, out).await,
        Command::Demo(args) => seed::demo(args, out).await,
        Command::Stats => seed::stats(&chosen, out).await,
        Command::Profile(cmd) => profile::run(cmd, &chosen, out).await,
        Command::Operator(cmd) => operator::run(cmd, &chosen, who, out).await,
        Command::Users(cmd) => users::run(cmd, &chosen, who, out).await,
        Command::Orders(cmd) => orders::run(cmd, &chosen, who, out).await,
        Command::Validate(cmd) => validate::run_command(cmd, &chosen, who, out).await,
        Command::Findings(cmd) => findings::run(cmd, &chosen, who, out).await,
        Command::Audit(cmd) => audit::run(cmd, &chosen, who, out).await,
        Command::Notify(cmd) => notify::run(cmd, &chosen, who, out).await,
        Command::Outbox(cmd) => outbox::run(cmd, &chosen, who, out).await,
    }
}

/// `backoffice … | head`: when the reader goes away, end quietly as Unix
/// tools do, by SIGPIPE, instead of Rust's default of ignoring the signal
/// and panicking on the next print.
fn die_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // restoring a signal's default disposition has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> std::process::ExitCode {
    die_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BACKOFFICE_LOG")
                // sqlx warns of every statement over a second; sweeps and
                // bulk loads run such statements on purpose.
                .unwrap_or_else(|_| "warn,sqlx::query=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let out = Out { json: cli.json };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => out.fail(&err),
    }
}
