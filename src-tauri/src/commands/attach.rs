//! A back end of its own in the window: opening it (attached or not, with
//! its mapping), what detection recognises on it, and attaching it with
//! its first admin. Before attaching there are no operators, so detection
//! and attaching need no sign-in: whoever holds the database's
//! credentials (the profile) decides, and creates the first admin in the
//! same step.

use std::path::PathBuf;
use std::sync::Arc;

use backoffice_core::db::{console_ddl, console_table_names, Db, OpenOptions, SchemaStatus};
use backoffice_core::mapping::detect::{self, Capability};
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::{self, NewOperator, Permission, Role};
use backoffice_core::profiles::{self, Profile};
use backoffice_core::secrets::{Secret, SecretStore};
use backoffice_core::users::mapped::indexes;
use backoffice_core::{Error, Result};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::schema::IndexView;
use super::session::ConnectionView;
use crate::error::IpcResult;
use crate::state::{AppState, Connection};

/// A database opened for the window.
pub struct Opened {
    pub db: Db,
    /// False: a back end without the console's tables (the attach page).
    pub attached: bool,
    /// The mapping of a back end of its own; none on the demo.
    pub mapping: Option<Arc<Mapping>>,
    /// Why a back end of its own has no usable mapping, in words.
    pub problem: Option<String>,
}

/// Opens the profile's database: migrated as usual when the console's
/// tables are there (or it is empty, or the demo), left untouched when
/// it is a back end not attached yet.
pub async fn open(profile: &Profile, secrets: &dyn SecretStore) -> Result<Opened> {
    let options = OpenOptions {
        read_only: profile.read_only,
        create_if_missing: false,
    };
    let db = Db::connect(&profile.target(secrets)?, options).await?;
    if let SchemaStatus::NotAttached { .. } = db.schema_status().await? {
        return Ok(Opened {
            db,
            attached: false,
            mapping: None,
            problem: None,
        });
    }
    db.make_ready().await?;
    let demo = matches!(
        db.schema_status().await?,
        SchemaStatus::Current { demo: true, .. }
    );
    let (mapping, problem) = match (&profile.mapping, demo) {
        (_, true) => (None, None),
        (None, false) => (
            None,
            Some(format!(
                "profile '{}' has no mapping file, so the console does not know where this \
                 back end keeps its users and orders: write one with `backoffice --profile {} \
                 schema detect --write FILE` and name it in the profile",
                profile.name, profile.name
            )),
        ),
        (Some(path), false) => match Mapping::load(path) {
            Ok(m) => (Some(Arc::new(m)), None),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    Ok(Opened {
        db,
        attached: true,
        mapping,
        problem,
    })
}

/// One place in the back end a concept lives.
#[derive(Serialize, ts_rs::TS)]
pub struct ConceptView {
    concept: String,
    table: String,
    column: Option<String>,
}

/// What the window shows of a back end before attaching it.
#[derive(Serialize, ts_rs::TS)]
pub struct DetectView {
    /// What was recognised ("django + axes + allauth").
    preset: String,
    tables: u32,
    capabilities: Vec<Capability>,
    concepts: Vec<ConceptView>,
    /// Settings of the back end to confirm in the mapping.
    notes: Vec<String>,
    /// The proposed mapping, as the file attaching saves.
    mapping: String,
    /// The console's tables attaching creates, and their statements (to
    /// hand to a DBA).
    console_tables: Vec<String>,
    console_sql: String,
    indexes: Vec<IndexView>,
    index_note: Option<String>,
}

/// The connection detection may read: one not attached yet (no
/// operators exist), or an admin's.
async fn for_detection(state: &AppState) -> Result<Arc<Connection>> {
    let conn = state.connected().await?;
    if conn.attached {
        let (_, me) = state.session().await?;
        me.require(Permission::ManageOperators)?;
    }
    Ok(conn)
}

#[tauri::command]
pub async fn detect_backend(state: State<'_, AppState>) -> IpcResult<DetectView> {
    let conn = for_detection(&state).await?;
    let found = detect::detect(&conn.db).await?;
    let plan = match found.mapping.user {
        Some(_) => Some(indexes::propose(&conn.db, &found.mapping).await?),
        None => None,
    };
    let console_sql = console_ddl(conn.db.backend());
    Ok(DetectView {
        preset: found.preset,
        tables: u32::try_from(found.tables).unwrap_or(u32::MAX),
        capabilities: found.capabilities,
        concepts: found
            .mapping
            .refs()
            .into_iter()
            .map(|r| ConceptView {
                concept: r.concept,
                table: r.table,
                column: r.column,
            })
            .collect(),
        notes: found.notes,
        mapping: found.mapping.to_toml(),
        console_tables: console_table_names(conn.db.backend()),
        console_sql,
        index_note: plan.as_ref().and_then(|p| p.note.clone()),
        indexes: plan
            .map(|p| p.proposals)
            .unwrap_or_default()
            .into_iter()
            .map(IndexView::from)
            .collect(),
    })
}

/// Attaching, as the window's confirmation sends it.
#[derive(Deserialize, ts_rs::TS)]
pub struct AttachRequest {
    /// The first admin's name and password (the password is wrapped at
    /// once and never leaves Rust again).
    admin: String,
    password: String,
    /// The administrator ticked "create the console's tables".
    confirmed: bool,
}

/// Where a profile's mapping lives: its own file, else one beside the
/// profiles file, named after the profile.
pub(crate) fn mapping_path(state: &AppState, profile: &Profile) -> PathBuf {
    match &profile.mapping {
        Some(p) => p.clone(),
        None => state
            .profiles
            .path()
            .with_file_name("mappings")
            .join(format!("{}.toml", profile.name)),
    }
}

/// Creates the console's tables beside the back end's, saves the mapping
/// detection proposed (a mapping file the profile names already is kept)
/// and adds the first admin; then opens the connection as any attached one.
#[tauri::command]
pub async fn attach_backend(
    state: State<'_, AppState>,
    request: AttachRequest,
) -> IpcResult<ConnectionView> {
    let conn = state.connected().await?;
    if conn.attached {
        return Err(Error::validation("this database is attached already").into());
    }
    if !request.confirmed {
        return Err(Error::validation(
            "attaching creates the console's tables in this database: confirm it first",
        )
        .into());
    }
    let admin = NewOperator {
        username: request.admin.trim().to_string(),
        role: Role::Admin,
        password: Secret::new(request.password),
    };
    // Every check before the first write: nothing is half done.
    operators::check_new(&admin)?;
    let mut profile = conn.profile.clone();
    conn.db.ensure_writable("attach the console's tables")?;
    let path = mapping_path(&state, &profile);
    let write_mapping = !path.exists();
    let mapping = match write_mapping {
        true => Some(detect::detect(&conn.db).await?.mapping),
        false => None,
    };
    conn.db.attach().await?;
    operators::add_operator(&conn.db, None, admin, Utc::now())
        .await
        .map_err(|e| {
            Error::validation(format!(
                "the console's tables were created, but the first admin was not: {e}; add one \
                 with `backoffice --profile {} operator add NAME --role admin`",
                profile.name
            ))
        })?;
    if let Some(m) = mapping {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::validation(format!("cannot create {}: {e}", dir.display())))?;
        }
        m.save(&path)?;
    }
    if profile.mapping.as_ref() != Some(&path) {
        profile = profiles::set_mapping(&state.profiles, &profile.name, Some(path))?;
    }
    Ok(super::session::open_connection(&state, profile).await?)
}
