//! Which database a command works on: `--db URL` or `--profile NAME`.

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::profiles::{Profile, ProfileStore};
use backoffice_core::secrets::ServiceStore;
use backoffice_core::{Error, Result};

pub struct Chosen<'a> {
    pub db: Option<&'a str>,
    pub profile: Option<&'a str>,
}

impl Chosen<'_> {
    /// The chosen profile, if the database was chosen by profile.
    pub fn profile(&self) -> Result<Option<Profile>> {
        match (self.db, self.profile) {
            (None, Some(name)) => ProfileStore::open_default()?.get(name).map(Some),
            _ => Ok(None),
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
            (None, None) => {
                let names: Vec<String> = ProfileStore::open_default()?
                    .list()?
                    .into_iter()
                    .map(|p| p.name)
                    .collect();
                Err(Error::validation(format!(
                    "choose a database with --db URL or --profile NAME{}",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" (profiles: {})", names.join(", "))
                    }
                )))
            }
        }
    }
}
