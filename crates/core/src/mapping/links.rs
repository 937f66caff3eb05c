//! The links in account emails, as the back end's own code accepts them:
//! `[links.password_reset]` and `[links.verify_email]` say which
//! framework's format each link takes and where on the site it points.
//! The secret the format is keyed with is never here: it lives in the OS
//! keychain under the profile (see [`crate::profiles::backend_secret`]).

use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use super::forms::Refs;
use super::{Mapping, Verified, Want};

/// The account links this back end takes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinksMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reset: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<Link>,
}

/// One link's format, and its path on the site (after the profile's link
/// base), with the format's placeholders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case", deny_unknown_fields)]
pub enum Link {
    /// Django's password reset: `{uid}` is the user's key in URL-safe
    /// base64 (or `{email}` the address, as Saleor's storefront takes it)
    /// and `{token}` what `default_token_generator` makes, an HMAC
    /// keyed by the project's SECRET_KEY over the user's key, password
    /// hash, last sign-in, a timestamp and email.
    DjangoReset {
        path: String,
        /// The user's password hash column (Django's `password`).
        password: String,
        /// The project's TIME_ZONE: Django counts a token's age in it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_zone: Option<String>,
        /// How long the link works, as the email tells the customer
        /// (PASSWORD_RESET_TIMEOUT; Django's default is 3 days).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_in: Option<String>,
    },
    /// django-allauth's email confirmation: `{key}` is the address row's
    /// key signed with SECRET_KEY (allauth's `EmailConfirmationHMAC`).
    /// The address rows are `user.verified`'s table.
    AllauthConfirm {
        path: String,
        /// The address row's key column.
        key: String,
        /// How long the link works, as the email tells the customer
        /// (ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS; allauth's default is 3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_in: Option<String>,
    },
    /// Devise's password reset (Recoverable): `{token}` is a random token;
    /// the user's row keeps its HMAC, keyed from the app's
    /// secret_key_base, and the time it was sent.
    DeviseReset {
        path: String,
        /// Devise's `reset_password_token` column.
        token: String,
        /// Devise's `reset_password_sent_at` column.
        sent_at: String,
        /// The key derivation's digest: "sha256" (Rails 7's defaults, the
        /// default here) or "sha1" (older apps).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_digest: Option<String>,
        /// Devise's reset_password_within (default 6 hours).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_in: Option<String>,
    },
    /// Devise's confirmation (Confirmable): `{token}` is the user's
    /// `confirmation_token`, kept as it is (made, with the time sent, when
    /// the user has none), as `send_confirmation_instructions` does. A new
    /// address waiting for confirmation (`user.verified.pending_email`) is
    /// where it goes.
    DeviseConfirm {
        path: String,
        /// Devise's `confirmation_token` column.
        token: String,
        /// Devise's `confirmation_sent_at` column.
        sent_at: String,
        /// Devise's confirm_within (none by default: the link does not
        /// expire; the email then says "3 days").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_in: Option<String>,
    },
    /// Laravel's password broker: `{token}` is a random token, kept as a
    /// bcrypt hash in `table` with the email and the time; `{email}` the
    /// user's address.
    LaravelReset {
        path: String,
        /// `password_reset_tokens`.
        table: String,
        /// The bcrypt cost (Laravel's BCRYPT_ROUNDS, default 12).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rounds: Option<u32>,
        /// auth.passwords.users.expire (default 60 minutes).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_in: Option<String>,
    },
}

/// Django's default paths, under `accounts/` as most projects include
/// their URLs.
pub(crate) const DJANGO_RESET_PATH: &str = "/accounts/reset/{uid}/{token}/";
pub(crate) const ALLAUTH_CONFIRM_PATH: &str = "/accounts/confirm-email/{key}/";
/// Devise's and Laravel's default routes.
const DEVISE_RESET_PATH: &str = "/users/password/edit?reset_password_token={token}";
const DEVISE_CONFIRM_PATH: &str = "/users/confirmation?confirmation_token={token}";
const LARAVEL_RESET_PATH: &str = "/reset-password/{token}?email={email}";

impl Link {
    pub fn path(&self) -> &str {
        match self {
            Link::DjangoReset { path, .. }
            | Link::AllauthConfirm { path, .. }
            | Link::DeviseReset { path, .. }
            | Link::DeviseConfirm { path, .. }
            | Link::LaravelReset { path, .. } => path,
        }
    }

    /// How long the link works, in the words of the email.
    pub fn expires_in(&self) -> &str {
        match self {
            Link::DjangoReset { expires_in, .. }
            | Link::AllauthConfirm { expires_in, .. }
            | Link::DeviseConfirm { expires_in, .. } => expires_in.as_deref().unwrap_or("3 days"),
            Link::DeviseReset { expires_in, .. } => expires_in.as_deref().unwrap_or("6 hours"),
            Link::LaravelReset { expires_in, .. } => expires_in.as_deref().unwrap_or("60 minutes"),
        }
    }

    /// The placeholders the path must hold.
    fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Link::DjangoReset { .. } => &["{token}"],
            Link::AllauthConfirm { .. } => &["{key}"],
            Link::DeviseReset { .. } | Link::DeviseConfirm { .. } | Link::LaravelReset { .. } => {
                &["{token}"]
            }
        }
    }

    /// Whether the link is keyed with the back end's secret (Laravel's
    /// token is random and kept hashed: it needs none).
    pub fn needs_secret(&self) -> bool {
        !matches!(self, Link::LaravelReset { .. } | Link::DeviseConfirm { .. })
    }

    /// What the format is called in messages ("Django's password reset").
    pub fn describe(&self) -> &'static str {
        match self {
            Link::DjangoReset { .. } => "Django's password reset",
            Link::AllauthConfirm { .. } => "django-allauth's email confirmation",
            Link::DeviseReset { .. } => "Devise's password reset",
            Link::DeviseConfirm { .. } => "Devise's confirmation",
            Link::LaravelReset { .. } => "Laravel's password reset",
        }
    }
}

/// Devise's reset link, where the users table is Recoverable.
pub(super) fn devise(cat: &Catalogue, t: &str, notes: &mut Vec<String>) -> Option<LinksMap> {
    let recoverable = cat.has(t, &["reset_password_token", "reset_password_sent_at"]);
    let confirmable = cat.has(t, &["confirmation_token", "confirmation_sent_at"]);
    if !recoverable && !confirmable {
        return None;
    }
    notes.push(
        "links: Devise's reset and confirmation links at their default routes; the reset \
         digest is keyed from secret_key_base with Rails 7's SHA-256 key derivation (set \
         links.password_reset.key_digest = \"sha1\" for an older app): store secret_key_base \
         with `backoffice profile backend-secret NAME --stdin`"
            .into(),
    );
    Some(LinksMap {
        password_reset: recoverable.then(|| Link::DeviseReset {
            path: DEVISE_RESET_PATH.into(),
            token: "reset_password_token".into(),
            sent_at: "reset_password_sent_at".into(),
            key_digest: None,
            expires_in: None,
        }),
        verify_email: confirmable.then(|| Link::DeviseConfirm {
            path: DEVISE_CONFIRM_PATH.into(),
            token: "confirmation_token".into(),
            sent_at: "confirmation_sent_at".into(),
            expires_in: None,
        }),
    })
}

/// Laravel's reset link, where its token table is there.
pub(super) fn laravel(cat: &Catalogue, notes: &mut Vec<String>) -> Option<LinksMap> {
    let table = "password_reset_tokens";
    if !cat.has(table, &["email", "token", "created_at"]) {
        return None;
    }
    notes.push(
        "links: Laravel's reset link at its default route (/reset-password/{token}); the token \
         is random and kept bcrypt-hashed, so no secret is needed"
            .into(),
    );
    Some(LinksMap {
        password_reset: Some(Link::LaravelReset {
            path: LARAVEL_RESET_PATH.into(),
            table: table.into(),
            rounds: None,
            expires_in: None,
        }),
        verify_email: None,
    })
}

impl Mapping {
    /// The link of this kind (`password_reset`, `verify_email`).
    pub fn link(&self, kind: &str) -> Option<&Link> {
        let l = self.links.as_ref()?;
        match kind {
            "password_reset" => l.password_reset.as_ref(),
            "verify_email" => l.verify_email.as_ref(),
            _ => None,
        }
    }

    pub(super) fn links_refs(&self, r: &mut Refs) {
        let (Some(l), Some(u)) = (&self.links, &self.user) else {
            return;
        };
        if let Some(Link::DjangoReset { password, .. }) = &l.password_reset {
            r.col(
                "links.password_reset.password",
                &u.table,
                password,
                Want::Text,
            );
        }
        if let Some(Link::DeviseConfirm { token, sent_at, .. }) = &l.verify_email {
            r.col("links.verify_email.token", &u.table, token, Want::Text);
            r.col(
                "links.verify_email.sent_at",
                &u.table,
                sent_at,
                Want::Timestamp,
            );
        }
        if let (Some(Link::AllauthConfirm { key, .. }), Some(Verified::Rows { table, .. })) =
            (&l.verify_email, &u.verified)
        {
            r.col("links.verify_email.key", table, key, Want::Key);
        }
    }

    pub(super) fn links_problems(&self) -> Vec<String> {
        let Some(l) = &self.links else {
            return Vec::new();
        };
        let mut bad = Vec::new();
        for (name, link) in [
            ("password_reset", &l.password_reset),
            ("verify_email", &l.verify_email),
        ] {
            let Some(link) = link else { continue };
            let path = link.path();
            for p in link.placeholders() {
                if !path.contains(p) {
                    bad.push(format!("links.{name}.path: '{path}' has no {p}"));
                }
            }
            if matches!(link, Link::DjangoReset { .. })
                && !path.contains("{uid}")
                && !path.contains("{email}")
            {
                bad.push(format!(
                    "links.{name}.path: '{path}' names the user by neither {{uid}} nor {{email}}"
                ));
            }
            if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace()) {
                bad.push(format!(
                    "links.{name}.path: '{path}' must start with / and hold no spaces"
                ));
            }
            match (name, link) {
                ("password_reset", Link::AllauthConfirm { .. } | Link::DeviseConfirm { .. })
                | (
                    "verify_email",
                    Link::DjangoReset { .. } | Link::DeviseReset { .. } | Link::LaravelReset { .. },
                ) => bad.push(format!(
                    "links.{name}: {} is not a {} link",
                    link.describe(),
                    name.replace('_', " ")
                )),
                _ => {}
            }
            if let Link::AllauthConfirm { .. } = link {
                let rows = matches!(
                    self.user.as_ref().and_then(|u| u.verified.as_ref()),
                    Some(Verified::Rows { .. })
                );
                if !rows {
                    bad.push(format!(
                        "links.{name}: allauth's confirmation needs user.verified to be its \
                         address table"
                    ));
                }
            }
            if let Link::DeviseReset {
                key_digest: Some(d),
                ..
            } = link
            {
                if d != "sha1" && d != "sha256" {
                    bad.push(format!(
                        "links.{name}.key_digest: '{d}' is not sha1 or sha256"
                    ));
                }
            }
            if let Link::DjangoReset {
                time_zone: Some(z), ..
            } = link
            {
                if z.parse::<chrono_tz::Tz>().is_err() {
                    bad.push(format!("links.{name}.time_zone: '{z}' is not a time zone"));
                }
            }
        }
        bad
    }
}
