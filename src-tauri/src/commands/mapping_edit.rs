//! Editing the mapping in the window, for admins: the database's own
//! tables and columns to choose from (never typed blind), a draft whose
//! problems are said on each concept as it changes, and saving it to the
//! profile's mapping file once it has none. The connection works through
//! the saved mapping at once.

use std::sync::Arc;

use backoffice_core::mapping::catalogue;
use backoffice_core::mapping::detect;
use backoffice_core::mapping::draft::{self, Draft};
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::Permission;
use backoffice_core::profiles;
use backoffice_core::{Error, Result};
use serde::Serialize;
use tauri::State;

use super::attach::mapping_path;
use crate::error::IpcResult;
use crate::state::{AppState, Connection};

/// One table of the database and its columns, in order.
#[derive(Serialize, ts_rs::TS)]
pub struct TableColumns {
    table: String,
    columns: Vec<String>,
}

/// The connection, for an admin allowed to change the schema mapping.
async fn for_admin(state: &AppState) -> Result<Arc<Connection>> {
    let (conn, me) = state.session().await?;
    me.require(Permission::ManageSchema)?;
    Ok(conn)
}

#[tauri::command]
pub async fn mapping_catalogue(state: State<'_, AppState>) -> IpcResult<Vec<TableColumns>> {
    let conn = for_admin(&state).await?;
    let cat = catalogue::read(&conn.db).await?;
    Ok(cat
        .tables
        .into_iter()
        .map(|(table, columns)| TableColumns {
            table,
            columns: columns.into_iter().map(|c| c.name).collect(),
        })
        .collect())
}

/// The draft to start from: the profile's mapping file as it is (even one
/// that no longer reads), else what detection proposes.
#[tauri::command]
pub async fn open_mapping_draft(state: State<'_, AppState>) -> IpcResult<Draft> {
    let conn = for_admin(&state).await?;
    let profile = state.profiles.get(&conn.profile.name)?;
    let path = mapping_path(&state, &profile);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) => detect::detect(&conn.db).await?.mapping.to_toml(),
    };
    Ok(draft::review_on(&conn.db, &text).await?)
}

/// The draft with one concept set to a table or column the catalogue has.
#[tauri::command]
pub async fn edit_mapping_draft(
    state: State<'_, AppState>,
    text: String,
    concept: String,
    name: String,
) -> IpcResult<Draft> {
    let conn = for_admin(&state).await?;
    let text = draft::set(&text, &concept, &name)?;
    Ok(draft::review_on(&conn.db, &text).await?)
}

/// The draft with an order status word declared in the lifecycle (what it
/// means, where it moves to), or taken out of it.
#[tauri::command]
pub async fn set_mapping_status(
    state: State<'_, AppState>,
    text: String,
    word: String,
    declared: bool,
    roles: Vec<String>,
    moves: Vec<String>,
) -> IpcResult<Draft> {
    let conn = for_admin(&state).await?;
    let text = draft::set_status(&text, &word, declared, &roles, &moves)?;
    Ok(draft::review_on(&conn.db, &text).await?)
}

/// Saves the draft to the profile's mapping file, if it has no problem;
/// the connection works through it from now on.
#[tauri::command]
pub async fn save_mapping_draft(state: State<'_, AppState>, text: String) -> IpcResult<Draft> {
    let conn = for_admin(&state).await?;
    let reviewed = draft::review_on(&conn.db, &text).await?;
    if let Some(first) = reviewed.problems.first() {
        return Err(Error::validation(format!(
            "not saved: the mapping has {} problem{} ({first}); they are shown on their fields",
            reviewed.problems.len(),
            if reviewed.problems.len() == 1 {
                ""
            } else {
                "s"
            }
        ))
        .into());
    }
    let mapping = Mapping::parse(&text)?;
    let profile = state.profiles.get(&conn.profile.name)?;
    let path = mapping_path(&state, &profile);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::validation(format!("cannot create {}: {e}", dir.display())))?;
    }
    mapping.save(&path)?;
    if profile.mapping.as_ref() != Some(&path) {
        profiles::set_mapping(&state.profiles, &profile.name, Some(path))?;
    }
    conn.set_mapping(Arc::new(mapping));
    Ok(reviewed)
}
