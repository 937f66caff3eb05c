//! The links in verification and password-reset emails. On the reference
//! schema they carry the console's own tokens ([`super::tokens`]); on a
//! back end of its own they take the format its framework accepts, as the
//! mapping's `[links]` says, keyed with the framework's secret from the
//! OS keychain. A link is made when the message is sent, from the user's
//! row as it is then, and never stored.

mod django;
mod rails_laravel;
mod secret_check;
mod stored;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::{tokens, Template};
use crate::db::{Query, Source, WriteTx};
use crate::mapping::query::Sql;
use crate::mapping::{Link, Mapping, Verified};
use crate::secrets::Secret;
use crate::{Error, Result};

pub use secret_check::{check_secret, SecretVerdict};

/// A back end notified through its mapping: where its users and links
/// are, the secret its links are keyed with and the one its webhook checks
/// signatures with (each absent when none was stored; a message that needs
/// it is then refused before anything is queued).
#[derive(Debug)]
pub struct BackendLinks {
    pub mapping: Mapping,
    secret: Option<Secret>,
    webhook: Option<Secret>,
}

impl BackendLinks {
    pub fn new(mapping: Mapping, secret: Option<Secret>) -> Arc<Self> {
        Self::with_webhook(mapping, secret, None)
    }

    pub fn with_webhook(
        mapping: Mapping,
        secret: Option<Secret>,
        webhook: Option<Secret>,
    ) -> Arc<Self> {
        Arc::new(BackendLinks {
            mapping,
            secret,
            webhook,
        })
    }

    /// The secret the back end's webhook checks the console's signature
    /// with; the refusal says how to store it.
    pub(crate) fn webhook_secret(&self) -> Result<&Secret> {
        self.webhook.as_ref().ok_or_else(|| {
            Error::validation(
                "the back end sends this email itself through its webhook, which checks a \
                 signature made with the webhook's secret, and none is stored: store it with \
                 `backoffice profile webhook-secret PROFILE --stdin`, or set \
                 BACKOFFICE_WEBHOOK_SECRET for one run",
            )
        })
    }

    fn secret(&self, link: &Link) -> Result<&str> {
        self.secret.as_ref().map(Secret::expose).ok_or_else(|| {
            Error::validation(format!(
                "{} links are keyed with the back end's secret (Django's SECRET_KEY, Rails' \
                 secret_key_base), and none is stored: store it with `backoffice profile \
                 backend-secret PROFILE --stdin`, or set BACKOFFICE_BACKEND_SECRET for one run",
                link.describe()
            ))
        })
    }

    fn link_of(&self, template: Template) -> Result<&Link> {
        let kind = template.id();
        self.mapping.link(kind).ok_or_else(|| {
            Error::validation(format!(
                "the mapping has no [links.{kind}]: the console does not know the link this \
                 back end accepts (see docs/MAPPING.md)"
            ))
        })
    }

    fn users(&self) -> Result<&crate::mapping::UserMap> {
        self.mapping
            .user
            .as_ref()
            .ok_or_else(|| Error::validation("the mapping has no [user] section"))
    }

    /// The link's path when the message is sent. A token the back end
    /// keeps a digest of (Devise, Laravel) is written there now, audited
    /// under `operator`, inside the claim's transaction.
    async fn make(
        &self,
        tx: &mut WriteTx,
        operator: &str,
        template: Template,
        user: i64,
        now: DateTime<Utc>,
    ) -> Result<Zeroizing<String>> {
        let link = self.link_of(template)?;
        match link {
            Link::DeviseReset { .. } | Link::DeviseConfirm { .. } | Link::LaravelReset { .. } => {
                let secret = match link.needs_secret() {
                    true => Some(self.secret(link)?),
                    false => None,
                };
                stored::write_token(tx, operator, self.users()?, link, secret, user, now).await
            }
            _ => self.path(&mut Source::Tx(tx), template, user, now).await,
        }
    }

    /// The path of the link `template` carries for user `user`, as the
    /// framework checks it at `now`; an error says why none can be made.
    pub(crate) async fn path(
        &self,
        src: &mut Source<'_>,
        template: Template,
        user: i64,
        now: DateTime<Utc>,
    ) -> Result<Zeroizing<String>> {
        let link = self.link_of(template)?;
        let secret = match link.needs_secret() {
            true => self.secret(link)?,
            false => "",
        };
        let u = self.users()?;
        let s = Sql { b: src.backend() };
        match link {
            // Checked only: the token is made, and its digest written, when
            // the message is sent.
            Link::DeviseReset { path, .. }
            | Link::DeviseConfirm { path, .. }
            | Link::LaravelReset { path, .. } => {
                stored::email_of(src, u, user).await?;
                Ok(Zeroizing::new(path.clone()))
            }
            Link::DjangoReset {
                path,
                password,
                time_zone,
                ..
            } => {
                let login = u
                    .last_sign_in
                    .as_ref()
                    .map_or("NULL".into(), |c| s.epoch(&s.q(c)));
                let mut q = Query::new(format!(
                    "SELECT {} AS pk, {} AS password, {login} AS login, {} AS email \
                     FROM {} WHERE {} = ",
                    s.text(&s.q(&u.key)),
                    s.text(&s.q(password)),
                    s.text(&s.q(&u.email)),
                    s.q(&u.table),
                    s.q(&u.key)
                ));
                q.bind(user);
                let row: Option<ResetRow> = src.fetch_optional(&q, "cannot read the user").await?;
                let ResetRow {
                    pk,
                    password: hash,
                    login,
                    email,
                } = row.ok_or_else(|| Error::NotFound(format!("no user has the key {user}")))?;
                let zone: chrono_tz::Tz =
                    time_zone.as_deref().unwrap_or("UTC").parse().map_err(|_| {
                        Error::validation("links.password_reset.time_zone is invalid")
                    })?;
                let reset_user = django::ResetUser {
                    pk: &pk,
                    password: hash.as_deref().unwrap_or_default(),
                    last_login: login
                        .and_then(|t| DateTime::from_timestamp(t, 0))
                        .map(|t| t.naive_utc()),
                    email: email.as_deref().unwrap_or_default(),
                };
                let at = django::reset_seconds(now.with_timezone(&zone).naive_local());
                let token = Zeroizing::new(django::reset_token(secret, &reset_user, at));
                let email = email.as_deref().unwrap_or_default();
                Ok(Zeroizing::new(
                    path.replace("{uid}", &django::uidb64(&pk))
                        .replace("{email}", &stored::url_encode(email))
                        .replace("{token}", &token),
                ))
            }
            Link::AllauthConfirm { path, key, .. } => {
                let Some(Verified::Rows {
                    table,
                    user: owner,
                    email,
                    ..
                }) = &u.verified
                else {
                    return Err(Error::validation(
                        "allauth's confirmation needs user.verified to be its address table",
                    ));
                };
                let mut q = Query::new(format!(
                    "SELECT {} FROM {} a JOIN {} u ON u.{} = a.{} WHERE u.{} = ",
                    s.int(&format!("a.{}", s.q(key))),
                    s.q(table),
                    s.q(&u.table),
                    s.q(&u.key),
                    s.q(owner),
                    s.q(&u.key)
                ));
                q.bind(user).sql(format!(
                    " AND LOWER(a.{}) = LOWER(u.{})",
                    s.q(email),
                    s.q(&u.email)
                ));
                let row: Option<(i64,)> = src
                    .fetch_optional(&q, "cannot read the user's addresses")
                    .await?;
                let (address,) = row.ok_or_else(|| {
                    Error::validation(format!(
                        "user {user} has no row in {table} for their address, so allauth has \
                         nothing to confirm; allauth adds it when the user signs in"
                    ))
                })?;
                let signed = django::allauth_key(secret, address, now.timestamp());
                Ok(Zeroizing::new(path.replace("{key}", &signed)))
            }
        }
    }
}

/// Refuses to queue a link keyed with a secret the back end's own
/// signatures show to be wrong: the customer would get a link that fails.
pub(crate) async fn refuse_wrong_secret(
    db: &crate::db::Db,
    backend: &BackendLinks,
    template: Template,
) -> Result<()> {
    let (Some(_), Some(secret)) = (template.link(), &backend.secret) else {
        return Ok(());
    };
    match check_secret(db, &backend.mapping, secret).await? {
        SecretVerdict::Wrong => Err(Error::validation(
            "the stored back-end secret does not sign this back end's sessions, so the back end \
             would refuse the link: store its SECRET_KEY again with `backoffice profile \
             backend-secret PROFILE --stdin`; nothing was queued",
        )),
        SecretVerdict::Signs | SecretVerdict::Unknown => Ok(()),
    }
}

/// A user's key as the link formats take it: an integer (every framework
/// whose links the console makes keys its users so, and so do the console's
/// own tokens).
pub(crate) fn link_user(key: &str) -> Result<i64> {
    key.trim().parse().map_err(|_| {
        Error::validation(format!(
            "this back end's users are keyed by text ('{key}'), and the console makes \
             links only for users keyed by integers"
        ))
    })
}

/// What Django's token generator reads of a user.
#[derive(sqlx::FromRow)]
struct ResetRow {
    pk: String,
    password: Option<String>,
    login: Option<i64>,
    email: Option<String>,
}

/// How the dispatcher makes a message's link: the profile's link base,
/// then the console's token or the back end's own format.
pub(crate) struct Links {
    pub base: String,
    pub backend: Option<Arc<BackendLinks>>,
    /// Who the dispatcher sends as: the audit names them for what a link
    /// writes into the back end.
    pub operator: String,
}

impl Links {
    /// The whole link of a claimed message, inside the claim's
    /// transaction; `Err(why)` when none can be made (the message cannot be
    /// sent as it is).
    pub(crate) async fn mint(
        &self,
        tx: &mut WriteTx,
        template: Template,
        user: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<std::result::Result<Zeroizing<String>, String>>> {
        let Some(kind) = template.link() else {
            return Ok(None);
        };
        let Some(user) = user else {
            return Ok(Some(Err("the user no longer exists".into())));
        };
        let user = match link_user(user) {
            Ok(u) => u,
            Err(e) => return Ok(Some(Err(e.to_string()))),
        };
        let made = match &self.backend {
            None => {
                let token = tokens::mint(tx, user, kind, now).await?;
                let link = super::templates::link(&self.base, template, &token)
                    .ok_or_else(|| Error::internal("an account email has a link"))?;
                Ok(Zeroizing::new(link))
            }
            Some(b) => match b.make(tx, &self.operator, template, user, now).await {
                Ok(path) => Ok(Zeroizing::new(super::templates::on_site(
                    &self.base,
                    path.as_str(),
                ))),
                Err(e @ (Error::Validation(_) | Error::NotFound(_))) => Err(e.to_string()),
                Err(e) => return Err(e),
            },
        };
        Ok(Some(made))
    }
}
