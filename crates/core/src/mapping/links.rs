//! The links in account emails, as the back end's own code accepts them:
//! `[links.password_reset]` and `[links.verify_email]` say which
//! framework's format each link takes and where on the site it points.
//! The secret the format is keyed with is never here: it lives in the OS
//! keychain under the profile (see [`crate::profiles::backend_secret`]).

use serde::{Deserialize, Serialize};

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
    /// base64 and `{token}` what `default_token_generator` makes, an HMAC
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
}

/// Django's default paths, under `accounts/` as most projects include
/// their URLs.
pub(crate) const DJANGO_RESET_PATH: &str = "/accounts/reset/{uid}/{token}/";
pub(crate) const ALLAUTH_CONFIRM_PATH: &str = "/accounts/confirm-email/{key}/";

impl Link {
    pub fn path(&self) -> &str {
        match self {
            Link::DjangoReset { path, .. } | Link::AllauthConfirm { path, .. } => path,
        }
    }

    /// How long the link works, in the words of the email.
    pub fn expires_in(&self) -> &str {
        match self {
            Link::DjangoReset { expires_in, .. } | Link::AllauthConfirm { expires_in, .. } => {
                expires_in.as_deref().unwrap_or("3 days")
            }
        }
    }

    /// The placeholders the path must hold.
    fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Link::DjangoReset { .. } => &["{uid}", "{token}"],
            Link::AllauthConfirm { .. } => &["{key}"],
        }
    }

    /// What the format is called in messages ("Django's password reset").
    pub fn describe(&self) -> &'static str {
        match self {
            Link::DjangoReset { .. } => "Django's password reset",
            Link::AllauthConfirm { .. } => "django-allauth's email confirmation",
        }
    }
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
            if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace()) {
                bad.push(format!(
                    "links.{name}.path: '{path}' must start with / and hold no spaces"
                ));
            }
            match (name, link) {
                ("password_reset", Link::AllauthConfirm { .. })
                | ("verify_email", Link::DjangoReset { .. }) => bad.push(format!(
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
