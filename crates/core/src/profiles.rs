//! Connection profiles: a TOML file in the platform config directory, with
//! passwords in the OS keychain and never in the file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::db::target::ServerParams;
use crate::db::{Backend, Db, OpenOptions, Target};
use crate::notify::MailSettings;
use crate::secrets::{Secret, SecretKey, SecretStore};
use crate::{paths, Error, Result};

/// A saved connection. For SQLite, `database` is the file's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub backend: Backend,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    pub database: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Whether the server login has a secret in the keychain. `Some(false)`,
    /// a trust or peer login, never touches the keychain, so the profile
    /// works where none runs; `None` (a file written before this was
    /// recorded) looks in the keychain. Set by [`add_profile`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keychain: Option<bool>,
    /// Every write is refused, in the core and on the server session.
    #[serde(default)]
    pub read_only: bool,
    /// The demo database `make run` creates; the UI says so in a banner.
    #[serde(default)]
    pub demo: bool,
    /// How notifications leave: SMTP server, sender, link base, rate limit
    /// (the SMTP password is in the keychain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailSettings>,
    /// The back end's schema mapping (a TOML file, docs/MAPPING.md); none
    /// for the demo, whose reference schema the console knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<PathBuf>,
    /// Whether the back end's own secret (the one its account links are
    /// keyed with) is in the keychain: the keychain is asked only then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backend_secret: bool,
    /// Whether the secret the back end's webhook checks signatures with
    /// (`[sends]` by webhook) is in the keychain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub webhook_secret: bool,
}

impl Profile {
    /// A writable profile of a SQLite file, with nothing else set.
    pub fn sqlite_file(name: &str, path: &Path) -> Profile {
        Profile {
            name: name.into(),
            backend: Backend::Sqlite,
            host: None,
            port: None,
            database: path.to_string_lossy().into_owned(),
            user: None,
            keychain: None,
            read_only: false,
            demo: false,
            mail: None,
            mapping: None,
            backend_secret: false,
            webhook_secret: false,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !name_ok {
            return Err(Error::validation(format!(
                "profile name '{}' is not valid: use 1 to 64 letters, digits, '-', '_' or '.'",
                self.name.chars().take(80).collect::<String>()
            )));
        }
        if self.database.trim().is_empty() {
            return Err(Error::validation(match self.backend {
                Backend::Sqlite => "a SQLite profile needs the database file's path",
                _ => "a database name is required",
            }));
        }
        if self.backend != Backend::Sqlite {
            if self.host.as_deref().is_none_or(|h| h.trim().is_empty()) {
                return Err(Error::validation("a host is required"));
            }
            if self.user.as_deref().is_none_or(|u| u.trim().is_empty()) {
                return Err(Error::validation("a user name is required"));
            }
        }
        Ok(())
    }

    /// Where the profile points, for people: a file path or
    /// `user@host:port/database`. Holds no secret.
    pub fn location(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.database.clone(),
            _ => format!(
                "{}@{}:{}/{}",
                self.user.as_deref().unwrap_or(""),
                self.host.as_deref().unwrap_or(""),
                self.port
                    .or(self.backend.default_port())
                    .unwrap_or_default(),
                self.database
            ),
        }
    }

    /// Whether a database password may be in the keychain for this profile.
    fn may_have_password(&self) -> bool {
        self.backend != Backend::Sqlite && self.keychain != Some(false)
    }

    /// Builds the connection target, reading the password from the keychain
    /// when the login has one.
    pub fn target(&self, secrets: &dyn SecretStore) -> Result<Target> {
        match self.backend {
            Backend::Sqlite => Ok(Target::sqlite_file(Path::new(&self.database))),
            backend => {
                let password = if self.may_have_password() {
                    secrets.get(&SecretKey::Database(self.name.clone()))?
                } else {
                    None
                };
                Target::server(
                    backend,
                    ServerParams {
                        host: self.host.as_deref().unwrap_or_default(),
                        port: self.port,
                        database: &self.database,
                        user: self.user.as_deref().unwrap_or_default(),
                        password: password.as_ref(),
                    },
                )
            }
        }
    }

    /// The mail settings, or how to add them.
    pub fn mail(&self) -> Result<&MailSettings> {
        self.mail.as_ref().ok_or_else(|| {
            Error::validation(format!(
                "profile '{}' has no mail settings; add them with `backoffice profile mail {} \
                 --smtp-host HOST --from ADDRESS --link-base URL`",
                self.name, self.name
            ))
        })
    }

    /// The SMTP password from the keychain, when the server takes a user.
    pub fn smtp_password(&self, secrets: &dyn SecretStore) -> Result<Option<Secret>> {
        match self.mail.as_ref().and_then(|m| m.smtp_user.as_ref()) {
            Some(_) => secrets.get(&SecretKey::Smtp(self.name.clone())),
            None => Ok(None),
        }
    }

    /// Opens the profile's database (migrating it when writable).
    pub async fn open(&self, secrets: &dyn SecretStore) -> Result<Db> {
        let target = self.target(secrets)?;
        let options = OpenOptions {
            read_only: self.read_only,
            create_if_missing: false,
        };
        Db::open(&target, options).await
    }
}

#[derive(Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

/// The profiles file.
pub struct ProfileStore {
    path: PathBuf,
}

impl ProfileStore {
    /// `profiles.toml` in the config directory (or `$BACKOFFICE_CONFIG_DIR`).
    pub fn open_default() -> Result<Self> {
        Ok(Self::at(paths::config_dir()?.join("profiles.toml")))
    }

    pub fn at(path: impl Into<PathBuf>) -> Self {
        ProfileStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<ProfilesFile> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::validation(format!(
                    "the profiles file {} is not valid: {}",
                    self.path.display(),
                    e.message()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile::default()),
            Err(e) => Err(Error::Unavailable(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    /// Writes the whole file to a temporary file and renames it into place,
    /// so a crash leaves either the old file or the new one.
    fn write(&self, file: &ProfilesFile) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::Unavailable(format!("cannot write {}: {e}", self.path.display()))
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io)?;
        let text = toml::to_string_pretty(file)
            .map_err(|e| Error::internal(format!("cannot encode profiles: {e}")))?;
        let mut tmp = tempfile_in(dir).map_err(io)?;
        tmp.1.write_all(text.as_bytes()).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, &self.path).map_err(io)
    }

    pub fn list(&self) -> Result<Vec<Profile>> {
        Ok(self.read()?.profiles)
    }

    pub fn get(&self, name: &str) -> Result<Profile> {
        let profiles = self.list()?;
        if let Some(p) = profiles.iter().find(|p| p.name == name) {
            return Ok(p.clone());
        }
        let known: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        Err(Error::NotFound(format!(
            "no profile named '{name}'{}",
            if known.is_empty() {
                " (there are no profiles yet; add one with `backoffice profile add`)".to_string()
            } else {
                format!(" (known: {})", known.join(", "))
            }
        )))
    }

    fn put(&self, profile: Profile, replace: bool) -> Result<()> {
        let mut file = self.read()?;
        match file.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(_) if !replace => {
                return Err(Error::Conflict(format!(
                    "a profile named '{}' already exists (use --replace to overwrite it)",
                    profile.name
                )))
            }
            Some(existing) => *existing = profile,
            None => file.profiles.push(profile),
        }
        self.write(&file)
    }

    fn take(&self, name: &str) -> Result<Profile> {
        let found = self.get(name)?;
        let mut file = self.read()?;
        file.profiles.retain(|p| p.name != name);
        self.write(&file)?;
        Ok(found)
    }
}

/// Creates the file with owner-only permissions where the platform has them.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let path = dir.join(format!(".profiles.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    Ok((path.clone(), opts.open(&path)?))
}

/// Saves a profile and its password: the password goes to the keychain
/// first, and is taken out again if the file cannot be written, so a failed
/// add leaves nothing behind. A profile without a password never touches
/// the keychain.
pub fn add_profile(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    mut profile: Profile,
    password: Option<Secret>,
    replace: bool,
) -> Result<()> {
    profile.validate()?;
    let existing = store.list()?.into_iter().find(|p| p.name == profile.name);
    if !replace && existing.is_some() {
        return store.put(profile, false);
    }
    profile.keychain = (profile.backend != Backend::Sqlite).then_some(password.is_some());
    let key = SecretKey::Database(profile.name.clone());
    match (&password, profile.backend) {
        (Some(_), Backend::Sqlite) => {
            return Err(Error::validation("a SQLite profile has no password"))
        }
        (None, Backend::Sqlite) => {}
        (Some(pw), _) => secrets.set(&key, pw)?,
        // Replacing a profile with one that has no password drops the old one.
        (None, _) if existing.is_some_and(|p| p.may_have_password()) => secrets.delete(&key)?,
        (None, _) => {}
    }
    store.put(profile, replace).inspect_err(|_| {
        if password.is_some() {
            let _ = secrets.delete(&key);
        }
    })
}

/// Changes a profile's connection: what the person edited replaces the
/// stored values, while what the form does not show (mail settings, the
/// mapping, the demo flag) stays. Without a new password the stored one
/// stays, unless the profile becomes a SQLite file, which has none.
pub fn edit_profile(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    mut profile: Profile,
    password: Option<Secret>,
) -> Result<()> {
    let existing = store.get(&profile.name)?;
    profile.mail = existing.mail.clone();
    profile.mapping = existing.mapping.clone();
    profile.demo = existing.demo;
    profile.backend_secret = existing.backend_secret;
    profile.webhook_secret = existing.webhook_secret;
    if password.is_none() && profile.backend != Backend::Sqlite {
        profile.validate()?;
        profile.keychain = if existing.backend == Backend::Sqlite {
            Some(false)
        } else {
            existing.keychain
        };
        return store.put(profile, true);
    }
    if profile.backend == Backend::Sqlite && existing.may_have_password() {
        secrets.delete(&SecretKey::Database(profile.name.clone()))?;
    }
    add_profile(store, secrets, profile, password, true)
}

/// Removes a profile and its keychain entries.
pub fn remove_profile(
    store: &ProfileStore,
    secrets: &dyn SecretStore,
    name: &str,
) -> Result<Profile> {
    let removed = store.get(name)?;
    if removed.may_have_password() {
        secrets.delete(&SecretKey::Database(name.to_string()))?;
    }
    if removed.mail.as_ref().is_some_and(|m| m.smtp_user.is_some()) {
        secrets.delete(&SecretKey::Smtp(name.to_string()))?;
    }
    if removed.backend_secret {
        secrets.delete(&SecretKey::Backend(name.to_string()))?;
    }
    if removed.webhook_secret {
        secrets.delete(&SecretKey::Webhook(name.to_string()))?;
    }
    store.take(name)
}

#[path = "profiles_backend.rs"]
mod backend;
pub use backend::{
    backend_links, backend_secret, set_backend_secret, set_stored_secret, stored_secret,
    BackendSecret, BACKEND_SECRET_ENV, WEBHOOK_SECRET_ENV,
};

#[path = "profiles_settings.rs"]
mod settings;
pub use settings::{set_mail, set_mapping};

#[cfg(test)]
#[path = "profiles_tests.rs"]
mod tests;
