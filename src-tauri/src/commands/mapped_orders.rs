//! The orders view on a back end of its own: the list, an order's story,
//! and moving or cancelling it through a preview, all through the
//! connection's mapping and its declared lifecycle.

use backoffice_core::orders::mapped::story::{self, MappedStory};
use backoffice_core::orders::mapped::{
    self, MappedChange, MappedOrder, MappedOrderQuery, MappedPreview,
};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::session::Ctx;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// One page of the back end's orders matching the query.
#[tauri::command]
pub async fn list_mapped_orders(
    state: State<'_, AppState>,
    query: MappedOrderQuery,
    page: PageRequest,
) -> IpcResult<Page<MappedOrder>> {
    let (conn, me, m) = state.mapped_session().await?;
    Ok(mapped::search(&Ctx::new(&conn.db, &me), &m, &query, &page).await?)
}

/// An order's story by its number or key.
#[tauri::command]
pub async fn mapped_order_story(state: State<'_, AppState>, id: String) -> IpcResult<MappedStory> {
    let (conn, me, m) = state.mapped_session().await?;
    Ok(story::show(&Ctx::new(&conn.db, &me), &m, &id).await?)
}

/// What a change would do to the order as the operator saw it, written
/// nowhere.
#[tauri::command]
pub async fn preview_mapped_order_change(
    state: State<'_, AppState>,
    id: String,
    version: String,
    change: MappedChange,
) -> IpcResult<MappedPreview> {
    let (conn, me, m) = state.mapped_session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(mapped::preview(&ctx, &m, &id, &version, change).await?)
}

/// The change, if the order is still as the operator saw it; then its
/// story as it is now.
#[tauri::command]
pub async fn commit_mapped_order_change(
    state: State<'_, AppState>,
    id: String,
    version: String,
    change: MappedChange,
    reason: Option<String>,
) -> IpcResult<MappedStory> {
    let (conn, me, m) = state.mapped_session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let order = mapped::apply(&ctx, &m, &id, &version, change, reason.as_deref()).await?;
    Ok(story::show(&ctx, &m, &order.key).await?)
}
