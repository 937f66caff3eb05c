//! Which database a command works on: `--db URL` or `--profile NAME`.

use backoffice_core::db::{Backend, Db, OpenOptions, Target};
use backoffice_core::profiles::{Profile, ProfileStore};
use backoffice_core::secrets::ServiceStore;
use backoffice_core::{Error, Result};

pub struct Chosen<'a> {
    pub db: Option<&'a str>,
    pub profile: Option<&'a str>,
    /// `--mapping FILE`, over the profile's.
    pub mapping: Option<&'a std::path::Path>,
}

impl Chosen<'_> {
    /// The mapping file in effect: `--mapping`, else the profile's.
    pub fn mapping_file(&self) -> Result<Option<std::path::PathBuf>> {
        if let Some(path) = self.mapping {
            return Ok(Some(path.to_path_buf()));
        }
        Ok(self.profile()?.and_then(|p| p.mapping))
    }

    /// The chosen profile, if the database was chosen by profile.
    pub fn profile(&self) -> Result<Option<Profile>> {
        match (self.db, self.profile) {
            (None, Some(name)) => ProfileStore::open_default()?.get(name).map(Some),
            _ => Ok(None),
        }
    }

    /// Connects to the chosen database without touching its schema (for
    /// `attach`, which decides itself what to create).
    pub async fn connect(&self) -> Result<Db> {
        match (self.db, self.profile) {
            (Some(url), _) => Db::connect(&Target::parse_url(url)?, OpenOptions::default()).await,
            (None, Some(name)) => {
                let profile = ProfileStore::open_default()?.get(name)?;
                let target = profile.target(&ServiceStore::from_env())?;
                let options = OpenOptions {
                    read_only: profile.read_only,
                    create_if_missing: false,
                };
                Db::connect(&target, options).await
            }
            (None, None) => Err(none_chosen()?),
        }
    }

    /// The chosen database's engine, without connecting.
    pub fn backend(&self) -> Result<Backend> {
        match (self.db, self.profile) {
            (Some(url), _) => Ok(Target::parse_url(url)?.backend()),
            (None, Some(name)) => Ok(ProfileStore::open_default()?.get(name)?.backend),
            (None, None) => Err(none_chosen()?),
        }
    }

    /// Opens the chosen database. `create` lets `migrate` and `seed` create
    /// a SQLite file given by URL; a profile's file must already exist.
    pub async fn open(&self, create: bool) -> Result<Db> {
        match (self.db, self.profile) {
            (Some(url), _) => {
                let target = Target::parse_url(url)?;
                Db::open(
                    &target,
                    OpenOptions {
                        read_only: false,
                        create_if_missing: create,
                    },
                )
                .await
            }
            (None, Some(name)) => {
                let profile = ProfileStore::open_default()?.get(name)?;
                profile.open(&ServiceStore::from_env()).await
            }
            (None, None) => Err(none_chosen()?),
        }
    }
}

/// "Choose a database", naming the saved profiles.
fn none_chosen() -> Result<Error> {
    let names: Vec<String> = ProfileStore::open_default()?
        .list()?
        .into_iter()
        .map(|p| p.name)
        .collect();
    Ok(Error::validation(format!(
        "choose a database with --db URL or --profile NAME{}",
        if names.is_empty() {
            String::new()
        } else {
            format!(" (profiles: {})", names.join(", "))
        }
    )))
}
