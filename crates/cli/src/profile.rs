//! `profile add|list|remove|test`.

use clap::{Args, Subcommand};
use serde::Serialize;

use backoffice_core::db::{Backend, Db, OpenOptions, SchemaStatus};
use backoffice_core::notify::{check_secret, MailSettings, SecretVerdict, Security};
use backoffice_core::profiles::{
    add_profile, remove_profile, set_backend_secret, set_mail, set_stored_secret, BackendSecret,
    Profile, ProfileStore,
};
use backoffice_core::secrets::{Secret, ServiceStore};
use backoffice_core::{Error, Result};

use crate::input;
use crate::output::Out;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum ProfileCommand {
    /// Save a connection profile; its password goes to the OS keychain.
    Add(AddArgs),
    /// List the saved profiles (never their passwords).
    List,
    /// Delete a profile and its keychain entries.
    Remove { name: String },
    /// Connect with a profile and report the server and schema.
    Test { name: Option<String> },
    /// Set how a profile sends notifications (SMTP password to the keychain).
    Mail(MailArgs),
    /// Store the back end's own secret (Django's SECRET_KEY, Rails'
    /// secret_key_base), which the reset and confirmation links it accepts
    /// are keyed with, in the OS keychain; checked first against what the
    /// back end signed with it.
    BackendSecret(BackendSecretArgs),
    /// Store the secret the back end's webhook checks the console's
    /// signature with (`[sends]` by webhook, docs/MAPPING.md) in the OS
    /// keychain.
    WebhookSecret(BackendSecretArgs),
}

#[derive(Args)]
pub struct BackendSecretArgs {
    name: String,
    /// Read the secret from standard input (first line).
    #[arg(long, conflicts_with = "delete")]
    stdin: bool,
    /// Remove the stored secret.
    #[arg(long)]
    delete: bool,
}

impl BackendSecretArgs {
    /// The secret, from standard input (--stdin) or asked for.
    fn read(&self, what: &str, prompt: &str) -> Result<Secret> {
        if self.stdin {
            input::secret_from_stdin(what)
        } else {
            input::prompt_secret(prompt, "no secret given: pipe it in with --stdin")
        }
    }
}

#[derive(Args)]
pub struct MailArgs {
    name: String,
    #[arg(long)]
    smtp_host: String,
    /// Default: 587 for starttls, 465 for tls, 25 for none.
    #[arg(long)]
    smtp_port: Option<u16>,
    /// starttls, tls or none (none only for a relay on this machine).
    #[arg(long, default_value = "starttls")]
    security: Security,
    /// Sign in to the server as this user; the password is asked for.
    #[arg(long)]
    smtp_user: Option<String>,
    /// The sender: "Name <address>" or an address.
    #[arg(long)]
    from: String,
    /// Where verification and reset links point, e.g. https://shop.example
    #[arg(long)]
    link_base: String,
    /// At most this many messages per second.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// A repeat trigger inside this many minutes is answered, not queued.
    #[arg(long, default_value_t = 60)]
    window_minutes: u32,
    /// Read the SMTP password from standard input (first line).
    #[arg(long)]
    password_stdin: bool,
    /// Store no SMTP password: a service reads it from its credentials
    /// (the file smtp.PROFILE in $CREDENTIALS_DIRECTORY, systemd's
    /// LoadCredential=), on a server with no keychain.
    #[arg(long, conflicts_with = "password_stdin", requires = "smtp_user")]
    password_in_credentials: bool,
    /// Also trust the certificate authorities in this PEM file (for a
    /// relay whose certificate your own CA signed).
    #[arg(long, value_name = "PEM")]
    ca_file: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct AddArgs {
    name: String,
    /// sqlite, postgres or mysql (MariaDB too)
    #[arg(long)]
    backend: Backend,
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    port: Option<u16>,
    /// Database name; for SQLite the file's path.
    #[arg(long)]
    database: String,
    #[arg(long)]
    user: Option<String>,
    /// Refuse every write through this profile.
    #[arg(long)]
    read_only: bool,
    /// Read the password from standard input (first line).
    #[arg(long, conflicts_with = "no_password")]
    password_stdin: bool,
    /// The server needs no password.
    #[arg(long)]
    no_password: bool,
    /// Overwrite an existing profile of the same name.
    #[arg(long)]
    replace: bool,
    /// The back end's schema mapping (from `schema detect --write FILE`).
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
}

fn read_password(args: &AddArgs) -> Result<Option<Secret>> {
    if args.backend == Backend::Sqlite || args.no_password {
        return Ok(None);
    }
    if args.password_stdin {
        return input::secret_from_stdin("password").map(Some);
    }
    input::prompt_secret(
        &format!("Password for {}: ", args.user.as_deref().unwrap_or("")),
        "no password given: use --password-stdin, or --no-password if the server needs none",
    )
    .map(Some)
}

#[derive(Serialize)]
struct TestReport {
    profile: String,
    location: String,
    server: String,
    read_only: bool,
    schema: SchemaStatus,
}

pub async fn run(cmd: ProfileCommand, chosen: &Chosen<'_>, out: &Out) -> Result<()> {
    let store = ProfileStore::open_default()?;
    let secrets = ServiceStore::from_env();
    match cmd {
        ProfileCommand::Add(args) => {
            let mapping = match &args.mapping {
                Some(path) => {
                    backoffice_core::mapping::Mapping::load(path)?;
                    Some(std::fs::canonicalize(path).map_err(|e| {
                        backoffice_core::Error::validation(format!("{}: {e}", path.display()))
                    })?)
                }
                None => None,
            };
            let password = read_password(&args)?;
            let profile = Profile {
                name: args.name.clone(),
                backend: args.backend,
                host: args.host.clone(),
                port: args.port,
                database: args.database.clone(),
                user: args.user.clone(),
                keychain: None,
                read_only: args.read_only,
                demo: false,
                mail: None,
                mapping,
                backend_secret: false,
                webhook_secret: false,
            };
            add_profile(&store, &secrets, profile.clone(), password, args.replace)?;
            out.show(&profile, || {
                format!(
                    "saved profile '{}' in {}",
                    profile.name,
                    store.path().display()
                )
            });
        }
        ProfileCommand::List => {
            let profiles = store.list()?;
            out.show(&profiles, || {
                if profiles.is_empty() {
                    return "no profiles yet; add one with `backoffice profile add`".into();
                }
                profiles
                    .iter()
                    .map(|p| {
                        let place = p.location();
                        let flags = [(p.read_only, " [read-only]"), (p.demo, " [demo]")]
                            .iter()
                            .filter(|f| f.0)
                            .map(|f| f.1)
                            .collect::<String>();
                        format!(
                            "{:<16} {:<8} {place}{flags}",
                            p.name,
                            format!("{:?}", p.backend).to_lowercase()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ProfileCommand::Mail(args) => {
            let password = match (&args.smtp_user, args.password_stdin) {
                (None, _) => None,
                _ if args.password_in_credentials => None,
                (Some(_), true) => Some(input::secret_from_stdin("SMTP password")?),
                (Some(user), false) => Some(input::prompt_secret(
                    &format!("SMTP password for {user}: "),
                    "no SMTP password given: use --password-stdin",
                )?),
            };
            let mail = MailSettings {
                smtp_host: args.smtp_host,
                smtp_port: args.smtp_port,
                security: args.security,
                smtp_user: args.smtp_user,
                from: args.from,
                link_base: args.link_base,
                rate_per_second: args.rate,
                window_minutes: args.window_minutes,
                // Stored whole: the dispatcher may run from another directory.
                ca_file: args.ca_file.map(|f| std::path::absolute(&f).unwrap_or(f)),
            };
            let profile = set_mail(&store, &secrets, &args.name, mail, password)?;
            out.show(&profile, || {
                let m = profile.mail.as_ref().expect("just set");
                format!(
                    "profile '{}' sends mail through {}:{} ({}) as {}",
                    profile.name,
                    m.smtp_host,
                    m.port(),
                    m.security.label(),
                    m.from
                )
            });
        }
        ProfileCommand::BackendSecret(args) => backend_secret(&store, &secrets, args, out).await?,
        ProfileCommand::WebhookSecret(args) => webhook_secret(&store, &secrets, args, out)?,
        ProfileCommand::Remove { name } => {
            let removed = remove_profile(&store, &secrets, &name)?;
            out.show(&removed, || format!("removed profile '{}'", removed.name));
        }
        ProfileCommand::Test { name } => {
            let name = name
                .as_deref()
                .or(chosen.profile)
                .ok_or_else(|| Error::validation("name the profile to test"))?;
            let profile = store.get(name)?;
            // Connect only: a test must not change the database.
            let db = Db::connect(
                &profile.target(&secrets)?,
                OpenOptions {
                    read_only: profile.read_only,
                    create_if_missing: false,
                },
            )
            .await?;
            let report = TestReport {
                profile: profile.name.clone(),
                location: db.label().to_string(),
                server: db.server_version().await?,
                read_only: profile.read_only,
                schema: db.schema_status().await?,
            };
            db.close().await;
            out.show(&report, || {
                format!(
                    "ok: connected to {} ({}){}; schema: {}",
                    report.location,
                    report.server,
                    if report.read_only { ", read-only" } else { "" },
                    report.schema.describe()
                )
            });
        }
    }
    Ok(())
}

/// `profile backend-secret`: the secret is checked against the back end's
/// own signatures where it has any, and stored only if none refutes it.
async fn backend_secret(
    store: &ProfileStore,
    secrets: &ServiceStore,
    args: BackendSecretArgs,
    out: &Out,
) -> Result<()> {
    let profile = store.get(&args.name)?;
    if args.delete {
        set_backend_secret(store, secrets, &profile.name, None)?;
        out.show(&profile.name, || {
            format!("removed the back-end secret of profile '{}'", profile.name)
        });
        return Ok(());
    }
    let secret = args.read(
        "back-end secret",
        "The back end's secret (SECRET_KEY, secret_key_base): ",
    )?;
    let verdict = match &profile.mapping {
        Some(path) => {
            let mapping = backoffice_core::mapping::Mapping::load(path)?;
            let db = Db::connect(
                &profile.target(secrets)?,
                OpenOptions {
                    read_only: true,
                    create_if_missing: false,
                },
            )
            .await?;
            let verdict = check_secret(&db, &mapping, &secret).await;
            db.close().await;
            verdict?
        }
        None => SecretVerdict::Unknown,
    };
    if verdict == SecretVerdict::Wrong {
        return Err(Error::validation(format!(
            "this secret signs none of the back end's sessions: it is not the SECRET_KEY \
             {} runs with, and links keyed with it would be refused; nothing was stored",
            profile.location()
        )));
    }
    set_backend_secret(store, secrets, &profile.name, Some(&secret))?;
    let checked = verdict == SecretVerdict::Signs;
    out.show(
        &serde_json::json!({"profile": profile.name, "checked": checked}),
        || {
            format!(
                "stored the back-end secret of profile '{}' in the OS keychain{}",
                profile.name,
                if checked {
                    "; it signs the back end's sessions"
                } else {
                    " (nothing the back end signed could check it: no Django sessions)"
                }
            )
        },
    );
    Ok(())
}

/// `profile webhook-secret`: nothing of the back end's can check it before
/// a message is sent; a wrong one is told by the webhook's refusal.
fn webhook_secret(
    store: &ProfileStore,
    secrets: &ServiceStore,
    args: BackendSecretArgs,
    out: &Out,
) -> Result<()> {
    let profile = store.get(&args.name)?;
    let secret = match args.delete {
        true => None,
        false => Some(args.read(
            "webhook secret",
            "The secret the back end's webhook checks signatures with: ",
        )?),
    };
    let which = BackendSecret::Webhook;
    set_stored_secret(which, store, secrets, &profile.name, secret.as_ref())?;
    let done = if secret.is_some() {
        "stored"
    } else {
        "removed"
    };
    out.show(
        &serde_json::json!({"profile": profile.name, "webhook_secret": done}),
        || format!("{done} the webhook secret of profile '{}'", profile.name),
    );
    Ok(())
}
