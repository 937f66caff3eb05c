//! The back end's own secrets, per profile, in the keychain only: the one
//! its account links are keyed with (Django's SECRET_KEY), and the one its
//! webhook checks the console's signature with (`[sends]` by webhook).

use std::sync::Arc;

use super::{Profile, ProfileStore};
use crate::mapping::Mapping;
use crate::notify::BackendLinks;
use crate::secrets::{Secret, SecretKey, SecretStore};
use crate::{Error, Result};

/// The environment variable that gives a back end's secret for one run,
/// as PGPASSWORD gives a database password.
pub const BACKEND_SECRET_ENV: &str = "BACKOFFICE_BACKEND_SECRET";
/// The environment variable that gives the webhook's secret for one run.
pub const WEBHOOK_SECRET_ENV: &str = "BACKOFFICE_WEBHOOK_SECRET";

/// Which of the back end's secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendSecret {
    /// The secret its account links are keyed with.
    Links,
    /// The secret its webhook checks the console's signature with.
    Webhook,
}

impl BackendSecret {
    fn env(self) -> &'static str {
        match self {
            BackendSecret::Links => BACKEND_SECRET_ENV,
            BackendSecret::Webhook => WEBHOOK_SECRET_ENV,
        }
    }

    fn key(self, profile: &str) -> SecretKey {
        match self {
            BackendSecret::Links => SecretKey::Backend(profile.to_string()),
            BackendSecret::Webhook => SecretKey::Webhook(profile.to_string()),
        }
    }

    fn stored(self, profile: &Profile) -> bool {
        match self {
            BackendSecret::Links => profile.backend_secret,
            BackendSecret::Webhook => profile.webhook_secret,
        }
    }

    fn what(self) -> &'static str {
        match self {
            BackendSecret::Links => "back-end secret",
            BackendSecret::Webhook => "webhook secret",
        }
    }
}

/// One of the back end's secrets: its environment variable when set, else
/// the profile's keychain entry; none when neither holds one.
pub fn stored_secret(
    which: BackendSecret,
    profile: Option<&Profile>,
    secrets: &dyn SecretStore,
) -> Result<Option<Secret>> {
    let env = which.env();
    if let Some(v) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        return v
            .into_string()
            .map(|v| Some(Secret::new(v)))
            .map_err(|_| Error::validation(format!("{env} is not UTF-8")));
    }
    match profile {
        Some(p) if which.stored(p) => secrets.get(&which.key(&p.name)),
        _ => Ok(None),
    }
}

/// The back end's secret (Django's SECRET_KEY) its account links are keyed
/// with; see [`stored_secret`].
pub fn backend_secret(
    profile: Option<&Profile>,
    secrets: &dyn SecretStore,
) -> Result<Option<Secret>> {
    stored_secret(BackendSecret::Links, profile, secrets)
}

/// A back end notified through `mapping`, with the profile's secrets.
pub fn backend_links(
    mapping: Mapping,
    profile: Option<&Profile>,
    secrets: &dyn SecretStore,
) -> Result<Arc<BackendLinks>> {
    let links = stored_secret(BackendSecret::Links, profile, secrets)?;
    let webhook = stored_secret(BackendSecret::Webhook, profile, secrets)?;
    Ok(BackendLinks::with_webhook(mapping, links, webhook))
}

/// Stores one of the back end's secrets for a profile in the keychain
/// (never in the profiles file), or removes it.
pub fn set_stored_secret(
    which: BackendSecret,
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
    secret: Option<&Secret>,
) -> Result<()> {
    let mut profile = store.get(name)?;
    let key = which.key(name);
    match secret {
        Some(s) if s.expose().trim().is_empty() => {
            return Err(Error::validation(format!("the {} is empty", which.what())))
        }
        Some(s) => secrets.set(&key, s)?,
        None => secrets.delete(&key)?,
    }
    match which {
        BackendSecret::Links => profile.backend_secret = secret.is_some(),
        BackendSecret::Webhook => profile.webhook_secret = secret.is_some(),
    }
    store.put(profile, true)
}

/// Stores the back end's link secret; see [`set_stored_secret`].
pub fn set_backend_secret(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
    secret: Option<&Secret>,
) -> Result<()> {
    set_stored_secret(BackendSecret::Links, store, secrets, name, secret)
}
