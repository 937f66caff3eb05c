//! Links whose token the back end keeps (a digest of Devise's
//! `reset_password_token` and Laravel's `password_reset_tokens`, Devise's
//! `confirmation_token` as it is): the token is made when the message is
//! sent, and written into the back end's
//! table as the framework writes it, in the claim's transaction with an
//! audit entry. The token itself goes only into the email.

use chrono::{DateTime, Timelike, Utc};
use serde_json::{json, Map};
use zeroize::Zeroizing;

use super::rails_laravel::{devise_digest, devise_raw, laravel_token};
use crate::audit::{self, Record};
use crate::db::query::Arg;
use crate::db::{Backend, Query, Source, WriteTx};
use crate::mapping::query::{framework_time, Insert, Sql};
use crate::mapping::{Link, UserMap};
use crate::{Error, Result};

/// Laravel's default BCRYPT_ROUNDS.
const LARAVEL_ROUNDS: u32 = 12;

/// The user's address, as the back end keeps it.
pub(super) async fn email_of(src: &mut Source<'_>, u: &UserMap, user: i64) -> Result<String> {
    let s = Sql { b: src.backend() };
    let mut q = Query::new(format!(
        "SELECT {} FROM {} WHERE {} = ",
        s.text(&s.q(&u.email)),
        s.q(&u.table),
        s.q(&u.key)
    ));
    q.bind(user);
    let row: Option<(Option<String>,)> = src.fetch_optional(&q, "cannot read the user").await?;
    match row {
        None => Err(Error::NotFound(format!("no user has the key {user}"))),
        Some((None,)) => Err(Error::validation(format!(
            "user {user} has no email address"
        ))),
        Some((Some(e),)) => Ok(e),
    }
}

/// Makes the token, writes its digest as the framework does, audits it,
/// and returns the link's path.
pub(super) async fn write_token(
    tx: &mut WriteTx,
    operator: &str,
    u: &UserMap,
    link: &Link,
    secret: Option<&str>,
    user: i64,
    now: DateTime<Utc>,
) -> Result<Zeroizing<String>> {
    let s = Sql { b: tx.backend() };
    let email = email_of(&mut Source::Tx(tx), u, user).await?;
    let (path, token, wrote, action) = match link {
        Link::DeviseReset {
            path,
            token,
            sent_at,
            key_digest,
            ..
        } => {
            let secret = secret.ok_or_else(|| Error::internal("Devise's secret was checked"))?;
            let raw = devise_raw();
            let sha1 = key_digest.as_deref() == Some("sha1");
            let digest = devise_digest(secret, token, sha1, &raw);
            // Recoverable#set_reset_password_token: the digest, the time
            // sent, saved (updated_at too).
            devise_save(tx, u, token, &digest, sent_at, user, now).await?;
            let wrote = format!("{}.{token}, {}.{sent_at}", u.table, u.table);
            (path, raw, Some(wrote), "notify.reset_token")
        }
        Link::DeviseConfirm {
            path,
            token,
            sent_at,
            ..
        } => {
            // Confirmable#send_confirmation_instructions: the token the
            // user has is sent again; else a new one is saved with the
            // time sent.
            let mut q = Query::new(format!(
                "SELECT {} FROM {} WHERE {} = ",
                s.text(&s.q(token)),
                s.q(&u.table),
                s.q(&u.key)
            ));
            q.bind(user);
            let (existing,): (Option<String>,) = tx
                .fetch_one(&q, "cannot read the confirmation token")
                .await?;
            match existing.filter(|t| !t.is_empty()) {
                Some(t) => (path, Zeroizing::new(t), None, "notify.confirmation_token"),
                None => {
                    let raw = devise_raw();
                    devise_save(tx, u, token, &raw, sent_at, user, now).await?;
                    let wrote = format!("{}.{token}, {}.{sent_at}", u.table, u.table);
                    (path, raw, Some(wrote), "notify.confirmation_token")
                }
            }
        }
        Link::LaravelReset {
            path,
            table,
            rounds,
            ..
        } => {
            let (token, hash) = laravel_token(rounds.unwrap_or(LARAVEL_ROUNDS))?;
            // DatabaseTokenRepository::create: the user's earlier tokens
            // deleted, the new one's hash stored with the email and the
            // time to the second.
            let mut q = Query::new(format!("DELETE FROM {} WHERE email = ", s.q(table)));
            q.bind(email.as_str());
            tx.execute(&q, "cannot replace the earlier reset token")
                .await?;
            let at = now.with_nanosecond(0).unwrap_or(now);
            let at = match s.b {
                Backend::Sqlite => Arg::Text(at.format("%Y-%m-%d %H:%M:%S").to_string()),
                _ => Arg::Time(at),
            };
            let mut row = Insert::into(s, table);
            row.set("email", email.as_str())
                .set("token", hash)
                .set("created_at", at);
            tx.execute(&row.query(), "cannot store the reset token")
                .await?;
            (path, token, Some(table.clone()), "notify.reset_token")
        }
        _ => return Err(Error::internal("not a stored-token link")),
    };
    if let Some(wrote) = wrote {
        let mut after = Map::new();
        after.insert("wrote".into(), json!(wrote));
        audit::append(
            tx,
            operator,
            now,
            Record {
                action,
                entity_type: "user",
                entity_id: user.to_string(),
                before: None,
                after: Some(after),
                reason: None,
            },
        )
        .await?;
    }
    Ok(Zeroizing::new(
        path.replace("{token}", &token)
            .replace("{email}", &url_encode(&email)),
    ))
}

/// Devise's save of a token column and its time sent (and `updated_at`).
async fn devise_save(
    tx: &mut WriteTx,
    u: &UserMap,
    token: &str,
    value: &str,
    sent_at: &str,
    user: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let s = Sql { b: tx.backend() };
    let mut q = Query::new(format!("UPDATE {} SET {} = ", s.q(&u.table), s.q(token)));
    q.bind(value)
        .sql(format!(", {} = ", s.q(sent_at)))
        .bind(framework_time(s.b, now));
    if let Some(c) = &u.updated {
        q.sql(format!(", {} = ", s.q(c)))
            .bind(framework_time(s.b, now));
    }
    q.sql(format!(" WHERE {} = ", s.q(&u.key))).bind(user);
    tx.execute(&q, "cannot store the token").await?;
    Ok(())
}

/// A query-string value, as Laravel's `url()` encodes the email.
pub(super) fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
