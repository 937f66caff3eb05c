//! `users search|show|reveal-email` and the account actions.

use chrono::{Duration, Utc};
use clap::{Args, Subcommand, ValueEnum};

use backoffice_core::mapping::{served, Served};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::users::{
    apply, export_csv, reveal_email, search, show, User, UserAction, UserQuery, UserSort,
    UserStatus,
};
use backoffice_core::{Error, Result};

use crate::card;
use crate::input;
use crate::output::{page_table, Out, Paging};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Find users by part of email or name, id or exact email.
    Search(SearchArgs),
    /// The sign-in trouble card of one user (id or email).
    Show { user: String },
    /// Show one masked email address in full (recorded in the audit log).
    RevealEmail {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lock an account.
    Lock {
        #[command(flatten)]
        at: At,
        #[arg(long)]
        reason: String,
        /// When the lock ends: 2026-06-01T14:05:00Z, 2026-06-01, or 30m / 2h / 7d.
        #[arg(long)]
        until: Option<String>,
    },
    /// Unlock an account (also clears its failed sign-ins).
    Unlock(Plain),
    /// Reset the failed sign-in counter.
    ResetFailures(Plain),
    /// Disable an account (admins).
    Disable(Plain),
    /// Enable a disabled account (admins).
    Enable(Plain),
    /// Change the email address; the new one is unverified (admins).
    SetEmail {
        #[command(flatten)]
        at: At,
        email: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Change the display name (admins).
    SetName {
        #[command(flatten)]
        at: At,
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Grant a role (admins).
    GrantRole {
        #[command(flatten)]
        at: At,
        role: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Revoke a role (admins).
    RevokeRole {
        #[command(flatten)]
        at: At,
        role: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

/// Which user, at which version (as shown by `users show`).
#[derive(Args)]
pub struct At {
    /// The user's id (on a mapped back end, its key).
    pub(crate) id: String,
    /// The version you saw, as `users show` prints it (a number on the
    /// reference schema, a fingerprint elsewhere); a user changed since is
    /// refused.
    #[arg(long)]
    pub(crate) version: String,
}

impl At {
    /// The id and version as the reference schema keeps them.
    fn numbers(&self) -> Result<(i64, i64)> {
        let number = |what: &str, v: &str| {
            v.trim().parse::<i64>().map_err(|_| {
                Error::validation(format!("{what} '{v}' is not a number on this schema"))
            })
        };
        Ok((
            number("the user id", &self.id)?,
            number("--version", &self.version)?,
        ))
    }
}

#[derive(Args)]
pub struct Plain {
    #[command(flatten)]
    at: At,
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sort {
    Created,
    LastSignIn,
}

#[derive(Args)]
pub struct SearchArgs {
    /// Part of an email or name (3+ characters), a user id, or an email.
    #[arg(default_value = "")]
    pub(crate) query: String,
    #[arg(long)]
    status: Option<UserStatus>,
    /// Only users whose email is verified.
    #[arg(long, conflicts_with = "unverified")]
    verified: bool,
    /// Only users whose email is not verified.
    #[arg(long)]
    unverified: bool,
    #[arg(long)]
    role: Option<String>,
    /// Created on or after this date (YYYY-MM-DD).
    #[arg(long)]
    created_from: Option<String>,
    /// Created on or before this date (YYYY-MM-DD).
    #[arg(long)]
    created_to: Option<String>,
    #[arg(long, value_enum, default_value = "created")]
    sort: Sort,
    #[arg(long)]
    oldest_first: bool,
    #[command(flatten)]
    pub(crate) paging: Paging,
}

impl SearchArgs {
    /// The options given that a mapped back end's list does not take: its
    /// pages come in the back end's key order.
    pub(crate) fn not_for_mapped(&self) -> Vec<&'static str> {
        [
            (
                self.oldest_first || !matches!(self.sort, Sort::Created),
                "--sort/--oldest-first",
            ),
            (self.paging.csv(), "--format csv"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }

    pub(crate) fn query(&self) -> Result<UserQuery> {
        let verified = match (self.verified, self.unverified) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let created_from = self
            .created_from
            .as_deref()
            .map(input::date)
            .transpose()?
            .map(input::day_start);
        let created_until = self
            .created_to
            .as_deref()
            .map(input::date)
            .transpose()?
            .map(|d| input::day_start(d) + Duration::days(1));
        Ok(UserQuery {
            text: self.query.clone(),
            status: self.status,
            verified,
            role: self.role.clone(),
            created_from,
            created_until,
            sort: match self.sort {
                Sort::Created => UserSort::Created,
                Sort::LastSignIn => UserSort::LastSignIn,
            },
            oldest_first: self.oldest_first,
        })
    }
}

fn row(u: &User) -> String {
    format!(
        "{:>9}  {:<32} {:<24} {:<8} {:<3} {}",
        u.id,
        truncate(&u.email, 32),
        truncate(&u.display_name, 24),
        u.status,
        if u.email_verified_at.is_some() {
            "yes"
        } else {
            "no"
        },
        u.created_at.format("%Y-%m-%d"),
    )
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let cut: String = s.chars().take(n - 1).collect();
        format!("{cut}…")
    }
}

async fn run_search(ctx: &Ctx<'_>, args: SearchArgs, out: &Out) -> Result<()> {
    let query = args.query()?;
    if args.paging.csv() {
        // Stdout itself (not its lock) can cross the awaits; the CSV
        // writer buffers and flushes once per page.
        let mut stdout = std::io::stdout();
        export_csv(ctx, &query, &mut stdout, &NoProgress, &CancelToken::new()).await?;
        return Ok(());
    }
    let page = search(ctx, &query, &args.paging.page()).await?;
    let json = args.paging.out(out);
    json.show(&page, || {
        let header = format!(
            "{:>9}  {:<32} {:<24} {:<8} {:<3} {}",
            "id", "email", "name", "status", "ok", "created"
        );
        page_table(header, &page, row)
    });
    Ok(())
}

pub(crate) fn action(
    cmd: UsersCommand,
    now: chrono::DateTime<Utc>,
) -> Result<(At, UserAction, Option<String>)> {
    Ok(match cmd {
        UsersCommand::Lock { at, reason, until } => {
            let until = until
                .as_deref()
                .map(|u| input::moment(u, now))
                .transpose()?;
            (at, UserAction::Lock { reason, until }, None)
        }
        UsersCommand::Unlock(p) => (p.at, UserAction::Unlock, p.reason),
        UsersCommand::ResetFailures(p) => (p.at, UserAction::ResetFailedSignIns, p.reason),
        UsersCommand::Disable(p) => (p.at, UserAction::Disable, p.reason),
        UsersCommand::Enable(p) => (p.at, UserAction::Enable, p.reason),
        UsersCommand::SetEmail { at, email, reason } => {
            (at, UserAction::ChangeEmail { email }, reason)
        }
        UsersCommand::SetName { at, name, reason } => (
            at,
            UserAction::ChangeDisplayName { display_name: name },
            reason,
        ),
        UsersCommand::GrantRole { at, role, reason } => {
            (at, UserAction::GrantRole { role }, reason)
        }
        UsersCommand::RevokeRole { at, role, reason } => {
            (at, UserAction::RevokeRole { role }, reason)
        }
        _ => return Err(Error::internal("not an account action")),
    })
}

pub async fn run(
    cmd: UsersCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let served = match chosen.mapping_file() {
        Ok(file) => served(&db, file.as_deref()).await,
        Err(e) => Err(e),
    };
    let result = match (served, cmd) {
        (Err(e), _) => Err(e),
        (Ok(Served::Mapped(m)), cmd) => crate::mapped_users::run(&ctx, &m, cmd, out).await,
        (Ok(Served::Reference), cmd) => reference(&ctx, cmd, out).await,
    };
    db.close().await;
    result
}

/// The users job on the reference schema.
async fn reference(ctx: &Ctx<'_>, cmd: UsersCommand, out: &Out) -> Result<()> {
    match cmd {
        UsersCommand::Search(args) => run_search(ctx, args, out).await,
        UsersCommand::Show { user } => show(ctx, &user).await.map(|c| {
            out.show(&c, || card::render(&c, ctx.now));
        }),
        UsersCommand::RevealEmail { id, reason } => {
            reveal_email(ctx, id, reason.as_deref()).await.map(|email| {
                out.show(&serde_json::json!({ "id": id, "email": email }), || {
                    email.clone()
                });
            })
        }
        other => {
            let (at, act, reason) = action(other, ctx.now)?;
            let name = act.audit_name();
            let (id, version) = at.numbers()?;
            apply(ctx, id, version, act, reason.as_deref())
                .await
                .map(|u| {
                    out.show(&u, || {
                        format!(
                            "{name}: user {} is now {} (version {})",
                            u.id, u.status, u.version
                        )
                    });
                })
        }
    }
}
