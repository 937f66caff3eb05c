//! The users view on a back end of its own: search, the account's card and
//! its actions, all through the connection's mapping.

use backoffice_core::page::{Page, PageRequest};
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::{self, MappedCard, MappedUser};
use backoffice_core::users::{UserAction, UserQuery};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// One page of the back end's users matching the query.
#[tauri::command]
pub async fn search_mapped_users(
    state: State<'_, AppState>,
    query: UserQuery,
    page: PageRequest,
) -> IpcResult<Page<MappedUser>> {
    let (conn, me, m) = state.mapped_session().await?;
    Ok(mapped::search(&Ctx::new(&conn.db, &me), &m, &query, &page).await?)
}

/// A user's card by the back end's key.
#[tauri::command]
pub async fn mapped_user_card(state: State<'_, AppState>, key: String) -> IpcResult<MappedCard> {
    let (conn, me, m) = state.mapped_session().await?;
    Ok(mapped::card(&Ctx::new(&conn.db, &me), &m, &key).await?)
}

/// One account action on the user as the operator saw them (`version`,
/// the card's fingerprint); a user changed since is refused, unchanged.
#[tauri::command]
pub async fn mapped_user_action(
    state: State<'_, AppState>,
    key: String,
    version: String,
    action: UserAction,
    reason: Option<String>,
) -> IpcResult<MappedCard> {
    let (conn, me, m) = state.mapped_session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(mapped::apply(&ctx, &m, &key, &version, action, reason.as_deref()).await?)
}
