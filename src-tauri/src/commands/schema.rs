//! The Schema page, for admins: the mapping in effect and what the
//! database says of it, the console's own tables and their sizes, and the
//! indexes the console proposes (the users' search, the sweep's order
//! totals), built on request with progress and Stop.

use backoffice_core::mapping::{self, check, Mapping};
use backoffice_core::operators::Permission;
use backoffice_core::orders::mapped::indexes as order_indexes;
use backoffice_core::progress::Progress;
use backoffice_core::stats::{console_table_counts, TableCount};
use backoffice_core::users::mapped::indexes::{self, IndexPlan, Proposal};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcResult;
use crate::state::{AppState, Connection};

/// An index the console proposes, and whether it is there.
#[derive(Serialize, ts_rs::TS)]
pub struct IndexView {
    name: String,
    purpose: String,
    ddl: Vec<String>,
    exists: bool,
    #[ts(type = "number")]
    estimated_bytes: i64,
}

impl From<Proposal> for IndexView {
    fn from(p: Proposal) -> Self {
        IndexView {
            name: p.name,
            purpose: p.purpose,
            ddl: p.ddl,
            exists: p.exists,
            estimated_bytes: p.estimated_bytes,
        }
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct SchemaView {
    /// What the mapping recognised, on a back end of its own.
    preset: Option<String>,
    /// The profile's mapping file; none on the demo (its schema is the
    /// console's own).
    mapping_file: Option<String>,
    /// The mapping in effect, as TOML.
    mapping: String,
    /// What the database says of the mapping (`schema check`); empty when
    /// it fits.
    problems: Vec<String>,
    /// The console's own tables and their rows.
    console: Vec<TableCount>,
    indexes: Vec<IndexView>,
    index_note: Option<String>,
}

/// The mapping in effect: the profile's, or on the demo the reference
/// schema's. A profile's mapping that does not read says why.
async fn in_effect(state: &AppState, conn: &Connection) -> backoffice_core::Result<Mapping> {
    match (conn.mapping(), conn.mapped) {
        (Some(m), _) => Ok((*m).clone()),
        (None, true) => match state.profiles.get(&conn.profile.name)?.mapping {
            Some(path) => Mapping::load(&path),
            None => Err(backoffice_core::Error::validation(
                "this profile has no mapping file yet: edit the proposed one below and save it",
            )),
        },
        (None, false) => mapping::in_effect(&conn.db, None).await,
    }
}

/// The users' search indexes and the orders' totals index, as the
/// mapping has users and orders; their notes joined.
async fn index_views(
    conn: &Connection,
    m: &Mapping,
) -> backoffice_core::Result<(Vec<IndexView>, Option<String>)> {
    let mut plans: Vec<IndexPlan> = Vec::new();
    if m.user.is_some() {
        plans.push(indexes::propose(&conn.db, m).await?);
    }
    if m.order.is_some() {
        plans.push(order_indexes::propose(&conn.db, m).await?);
    }
    Ok(views(plans))
}

fn views(plans: Vec<IndexPlan>) -> (Vec<IndexView>, Option<String>) {
    let mut notes = Vec::new();
    let mut views = Vec::new();
    for p in plans {
        notes.extend(p.note);
        views.extend(p.proposals.into_iter().map(IndexView::from));
    }
    (views, (!notes.is_empty()).then(|| notes.join(" ")))
}

#[tauri::command]
pub async fn schema_page(state: State<'_, AppState>) -> IpcResult<SchemaView> {
    let (conn, me) = state.session().await?;
    me.require(Permission::ManageSchema)?;
    let console = console_table_counts(&conn.db).await?;
    // A mapping that does not read is said here, where it is mended.
    let m = match in_effect(&state, &conn).await {
        Ok(m) => m,
        Err(e) => {
            return Ok(SchemaView {
                preset: None,
                mapping_file: None,
                mapping: String::new(),
                problems: vec![e.to_string()],
                console,
                indexes: Vec::new(),
                index_note: None,
            })
        }
    };
    let problems = check::check(&conn.db, &m).await?;
    let (indexes, index_note) = index_views(&conn, &m).await?;
    Ok(SchemaView {
        preset: conn.mapping().and_then(|m| m.preset.clone()),
        mapping_file: conn
            .mapping()
            .and(state.profiles.get(&conn.profile.name)?.mapping)
            .map(|p| p.display().to_string()),
        mapping: m.to_toml(),
        problems: problems.iter().map(ToString::to_string).collect(),
        console,
        indexes,
        index_note,
    })
}

/// Builds the proposed indexes that are missing (the users' search
/// indexes, then the orders'), one after the other, reporting each; Stop
/// ends the work between two indexes.
#[tauri::command]
pub async fn create_search_indexes(
    state: State<'_, AppState>,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<Vec<IndexView>> {
    let (conn, me) = state.session().await?;
    me.require(Permission::ManageSchema)?;
    conn.db.ensure_writable("build search indexes")?;
    let running = state.start_job(&job)?;
    let m = in_effect(&state, &conn).await?;
    let report = super::progress_to(&on_progress);
    let mut plans = Vec::new();
    if m.user.is_some() {
        plans.push(indexes::create(&conn.db, &m, &report, &running.cancel).await?);
    }
    if m.order.is_some() {
        plans.push(order_indexes::create(&conn.db, &m, &report, &running.cancel).await?);
    }
    Ok(views(plans).0)
}
