//! The demo database: a SQLite file in the user's data directory, seeded on
//! first use and registered as the `demo` profile.

use std::path::PathBuf;

use serde::Serialize;

use crate::db::{on_pool, Db, OpenOptions, Target};
use crate::profiles::{add_profile, Profile, ProfileStore};
use crate::progress::{CancelToken, ProgressSink};
use crate::secrets::SecretStore;
use crate::seed::{seed, SeedOptions, SeedReport};
use crate::{paths, Error, Result};

pub const DEMO_PROFILE: &str = "demo";
pub const DEMO_USERS: u64 = 50_000;
pub const DEMO_ORDERS: u64 = 150_000;
pub const DEMO_SEED: u64 = 42;

#[derive(Debug, Serialize)]
pub struct DemoStatus {
    pub profile: String,
    pub path: PathBuf,
    /// Present when this call seeded the database.
    pub seeded: Option<SeedReport>,
    /// Whether this call added the `demo` profile.
    pub registered: bool,
}

pub fn demo_path() -> Result<PathBuf> {
    Ok(paths::data_dir()?.join("demo.sqlite3"))
}

/// Creates, seeds and registers the demo database unless already done.
/// Safe to call on every start: an existing demo is left as it is.
pub async fn ensure_demo(
    profiles: &ProfileStore,
    secrets: &dyn SecretStore,
    options: &SeedOptions,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<DemoStatus> {
    let path = demo_path()?;
    let db = Db::open(
        &Target::sqlite_file(&path),
        OpenOptions {
            read_only: false,
            create_if_missing: true,
        },
    )
    .await?;
    let sql = "SELECT 1 FROM users LIMIT 1";
    let has_users =
        on_pool!(db.pool(), p => sqlx::query(sql).fetch_optional(p).await.map(|r| r.is_some()))
            .map_err(|e| Error::db("cannot inspect the demo database", e))?;
    let seeded = if has_users {
        None
    } else {
        Some(seed(&db, options, progress, cancel).await?)
    };
    db.close().await;

    let registered = match profiles.get(DEMO_PROFILE) {
        Ok(_) => false,
        Err(Error::NotFound(_)) => {
            let profile = Profile {
                demo: true,
                ..Profile::sqlite_file(DEMO_PROFILE, &path)
            };
            add_profile(profiles, secrets, profile, None, false)?;
            true
        }
        Err(e) => return Err(e),
    };
    Ok(DemoStatus {
        profile: DEMO_PROFILE.into(),
        path,
        seeded,
        registered,
    })
}
