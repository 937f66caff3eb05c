//! What a profile keeps besides where the database is: its mail
//! settings (the SMTP password in the keychain) and its mapping file.

use std::path::PathBuf;

use super::{Profile, ProfileStore};
use crate::notify::MailSettings;
use crate::secrets::{Secret, SecretKey, SecretStore};
use crate::{Error, Result};

/// Sets a profile's mail settings. A new SMTP password goes to the
/// keychain; without one the stored password stays, unless the server
/// no longer takes a user.
pub fn set_mail(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
    mail: MailSettings,
    password: Option<Secret>,
) -> Result<Profile> {
    mail.validate()?;
    let mut profile = store.get(name)?;
    let key = SecretKey::Smtp(name.to_string());
    match (&mail.smtp_user, &password) {
        (None, Some(_)) => {
            return Err(Error::validation(
                "an SMTP password needs an SMTP user (--smtp-user)",
            ))
        }
        // A relay that no longer takes a user: drop the password it had.
        (None, None) => {
            if profile.mail.as_ref().is_some_and(|m| m.smtp_user.is_some()) {
                secrets.delete(&key)?
            }
        }
        (Some(_), Some(p)) => secrets.set(&key, p)?,
        (Some(_), None) => {}
    }
    profile.mail = Some(mail);
    store.put(profile.clone(), true)?;
    Ok(profile)
}

/// Names the profile's mapping file (none: the profile has none).
pub fn set_mapping(store: &ProfileStore, name: &str, path: Option<PathBuf>) -> Result<Profile> {
    let mut profile = store.get(name)?;
    profile.mapping = path;
    store.put(profile.clone(), true)?;
    Ok(profile)
}
