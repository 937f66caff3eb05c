//! Secrets (database and SMTP passwords, a back end's own secret) live
//! only in the OS keychain.
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

/// Which secret: every entry belongs to a profile, but an operator's
/// password, which a service reads from its credentials only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretKey {
    Database(String),
    Smtp(String),
    Operator(String),
    /// The back end's own secret its account links are keyed with
    /// (Django's SECRET_KEY), per profile.
    Backend(String),
    /// The secret the back end's webhook checks the console's signature
    /// with, per profile.
    Webhook(String),
}

impl SecretKey {
    /// The keychain account name ("db:NAME", "smtp:NAME").
    pub fn account(&self) -> String {
        match self {
            SecretKey::Database(p) => format!("db:{p}"),
            SecretKey::Smtp(p) => format!("smtp:{p}"),
            SecretKey::Operator(p) => format!("operator:{p}"),
            SecretKey::Backend(p) => format!("backend:{p}"),
            SecretKey::Webhook(p) => format!("webhook:{p}"),
        }
    }

    /// The file name of this secret among a service's credentials
    /// ("db.NAME", "smtp.NAME", "operator.NAME": systemd's credential
    /// names cannot hold ':').
    pub fn credential(&self) -> String {
        self.account().replacen(':', ".", 1)
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

/// The environment variable a service manager sets to the folder of the
/// credentials it hands a service (systemd's `LoadCredential=`).
pub const CREDENTIALS_ENV: &str = "CREDENTIALS_DIRECTORY";

/// What the command-line tool reads secrets from: a file among the
/// service's credentials when there is one for the key (a dispatcher run
/// by systemd on a server without a keychain), else the OS keychain.
/// Writes always go to the keychain.
pub struct ServiceStore {
    credentials: Option<std::path::PathBuf>,
    keychain: KeyringStore,
}

impl ServiceStore {
    pub fn from_env() -> Self {
        ServiceStore {
            credentials: std::env::var_os(CREDENTIALS_ENV)
                .filter(|d| !d.is_empty())
                .map(Into::into),
            keychain: KeyringStore::new(),
        }
    }

    /// The secret from the service's credentials, if it has that file.
    pub fn credential(&self, key: &SecretKey) -> Result<Option<Secret>> {
        let Some(dir) = &self.credentials else {
            return Ok(None);
        };
        let path = dir.join(key.credential());
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(Secret::new(
                text.strip_suffix('\n').unwrap_or(&text).to_string(),
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Unavailable(format!(
                "cannot read the credential {}: {e}",
                path.display()
            ))),
        }
    }
}

impl SecretStore for ServiceStore {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>> {
        match self.credential(key)? {
            Some(s) => Ok(Some(s)),
            None => self.keychain.get(key),
        }
    }

    fn set(&self, key: &SecretKey, secret: &Secret) -> Result<()> {
        self.keychain.set(key, secret)
    }

    fn delete(&self, key: &SecretKey) -> Result<()> {
        self.keychain.delete(key)
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
    fn service_credentials_come_before_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("smtp.shop"), "s3cret\n").unwrap();
        let store = ServiceStore {
            credentials: Some(dir.path().to_path_buf()),
            keychain: KeyringStore::with_service("backoffice-unit-test"),
        };
        let got = store.get(&SecretKey::Smtp("shop".into())).unwrap();
        assert_eq!(
            got.unwrap().expose(),
            "s3cret",
            "the final newline is not part of it"
        );
        assert_eq!(SecretKey::Database("a.b".into()).credential(), "db.a.b");
        assert!(store
            .credential(&SecretKey::Database("shop".into()))
            .unwrap()
            .is_none());
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }
}
