//! Secrets (database and SMTP passwords) live only in the OS keychain.
//!
//! [`Secret`] cannot leak by accident: its `Debug` prints `<redacted>`, it
//! has no `Display` and no `Serialize`, and its memory is wiped on drop.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::{Error, Result};

/// The keychain service name all Backoffice entries are filed under.
pub const KEYRING_SERVICE: &str = "backoffice";

pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The only way to read the value; call it where the value is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which secret: every entry belongs to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretKey {
    Database(String),
    Smtp(String),
}

impl SecretKey {
    /// The keychain account name ("db:NAME", "smtp:NAME").
    pub fn account(&self) -> String {
        match self {
            SecretKey::Database(p) => format!("db:{p}"),
            SecretKey::Smtp(p) => format!("smtp:{p}"),
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>>;
    fn set(&self, key: &SecretKey, secret: &Secret) -> Result<()>;
    /// Removing a secret that is not there is not an error.
    fn delete(&self, key: &SecretKey) -> Result<()>;
}

/// The OS keychain: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new() -> Self {
        Self::with_service(KEYRING_SERVICE)
    }

    pub fn with_service(service: &str) -> Self {
        KeyringStore {
            service: service.to_string(),
        }
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &key.account()).map_err(unavailable)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(e: keyring::Error) -> Error {
    Error::Unavailable(format!(
        "the OS keychain is not available ({e}); on Linux a Secret Service \
         such as gnome-keyring must be running and unlocked"
    ))
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>> {
        match self.entry(key)?.get_password() {
            Ok(pw) => Ok(Some(Secret::new(pw))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, key: &SecretKey, secret: &Secret) -> Result<()> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(unavailable)
    }

    fn delete(&self, key: &SecretKey) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// An in-process store for unit tests that inject keychain faults. Never
/// used by the app: it keeps nothing across processes.
#[derive(Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<SecretKey, String>>,
    failing: AtomicBool,
}

impl MemoryStore {
    /// From now on every call fails as an unreachable keychain would.
    pub fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn check(&self) -> Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            Err(Error::Unavailable(
                "the OS keychain is not available (injected fault)".into(),
            ))
        } else {
            Ok(())
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<SecretKey, String>> {
        // A poisoned lock only means another test thread panicked mid-call;
        // the map itself is still consistent.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>> {
        self.check()?;
        Ok(self.map().get(key).map(|s| Secret::new(s.clone())))
    }

    fn set(&self, key: &SecretKey, secret: &Secret) -> Result<()> {
        self.check()?;
        self.map().insert(key.clone(), secret.expose().to_string());
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<()> {
        self.check()?;
        self.map().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }
}
