//! The users view: search, the trouble card, account actions.

use backoffice_core::page::{Page, PageRequest};
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, TroubleCard, User, UserAction, UserQuery};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// One page of users matching the query (debounced and paged by the UI).
#[tauri::command]
pub async fn search_users(
    state: State<'_, AppState>,
    query: UserQuery,
    page: PageRequest,
) -> IpcResult<Page<User>> {
    let (conn, me) = state.reference_session("this users view").await?;
    Ok(users::search(&Ctx::new(&conn.db, &me), &query, &page).await?)
}

/// The sign-in trouble card of a user, by id or email address.
#[tauri::command]
pub async fn user_card(state: State<'_, AppState>, key: String) -> IpcResult<TroubleCard> {
    let (conn, me) = state.reference_session("this user card").await?;
    Ok(users::show(&Ctx::new(&conn.db, &me), &key).await?)
}

/// One account action (lock, unlock, …) on the version the operator saw;
/// a stale version is refused with the current values.
#[tauri::command]
pub async fn user_action(
    state: State<'_, AppState>,
    user_id: i64,
    version: i64,
    action: UserAction,
    reason: Option<String>,
) -> IpcResult<User> {
    let (conn, me) = state.reference_session("this account action").await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(users::apply(&ctx, user_id, version, action, reason.as_deref()).await?)
}
