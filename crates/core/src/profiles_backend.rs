//! The back end's own secret (the one its account links are keyed with),
//! per profile, in the keychain only.

use super::{Profile, ProfileStore};
use crate::secrets::{Secret, SecretKey, SecretStore};
use crate::{Error, Result};

/// The environment variable that gives a back end's secret for one run,
/// as PGPASSWORD gives a database password.
pub const BACKEND_SECRET_ENV: &str = "BACKOFFICE_BACKEND_SECRET";

/// The back end's own secret (Django's SECRET_KEY) its account links are
/// keyed with: [`BACKEND_SECRET_ENV`] when set, else the profile's
/// keychain entry; none when neither holds one.
pub fn backend_secret(
    profile: Option<&Profile>,
    secrets: &dyn SecretStore,
) -> Result<Option<Secret>> {
    if let Some(v) = std::env::var_os(BACKEND_SECRET_ENV).filter(|v| !v.is_empty()) {
        return v
            .into_string()
            .map(|v| Some(Secret::new(v)))
            .map_err(|_| Error::validation(format!("{BACKEND_SECRET_ENV} is not UTF-8")));
    }
    match profile {
        Some(p) if p.backend_secret => secrets.get(&SecretKey::Backend(p.name.clone())),
        _ => Ok(None),
    }
}

/// Stores the back end's secret for a profile in the keychain (never in
/// the profiles file), or removes it.
pub fn set_backend_secret(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
    secret: Option<&Secret>,
) -> Result<()> {
    let mut profile = store.get(name)?;
    let key = SecretKey::Backend(name.to_string());
    match secret {
        Some(s) if s.expose().trim().is_empty() => {
            return Err(Error::validation("the back-end secret is empty"))
        }
        Some(s) => secrets.set(&key, s)?,
        None => secrets.delete(&key)?,
    }
    profile.backend_secret = secret.is_some();
    store.put(profile, true)
}
