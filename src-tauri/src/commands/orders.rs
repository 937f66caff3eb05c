//! The orders view: list, story, changes through a preview, notes, and
//! bulk changes with progress.

use backoffice_core::orders::{
    self, BulkChange, BulkOutcome, BulkPreview, Note, Order, OrderChange, OrderQuery, OrderStory,
    Preview, Selection,
};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::progress::Progress;
use backoffice_core::session::Ctx;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
    page: PageRequest,
) -> IpcResult<Page<Order>> {
    let (conn, me) = state.reference_session("this orders list").await?;
    Ok(orders::list(&Ctx::new(&conn.db, &me), &query, &page).await?)
}

#[tauri::command]
pub async fn order_story(state: State<'_, AppState>, order_id: i64) -> IpcResult<OrderStory> {
    let (conn, me) = state.reference_session("this order story").await?;
    Ok(orders::show(&Ctx::new(&conn.db, &me), order_id).await?)
}

/// What a change would do to the order at the version the operator saw.
#[tauri::command]
pub async fn preview_order_change(
    state: State<'_, AppState>,
    order_id: i64,
    version: i64,
    change: OrderChange,
) -> IpcResult<Preview> {
    let (conn, me) = state.reference_session("this order change").await?;
    Ok(orders::preview(&Ctx::new(&conn.db, &me), order_id, version, change).await?)
}

/// Applies exactly the preview the operator confirmed, or answers with a
/// conflict carrying the preview as it would be now.
#[tauri::command]
pub async fn commit_order_change(
    state: State<'_, AppState>,
    preview: Preview,
    reason: Option<String>,
) -> IpcResult<Order> {
    let (conn, me) = state.reference_session("this order change").await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(orders::commit(&ctx, &preview, reason.as_deref()).await?)
}

#[tauri::command]
pub async fn add_order_note(
    state: State<'_, AppState>,
    order_id: i64,
    body: String,
) -> IpcResult<Note> {
    let (conn, me) = state.reference_session("an order note").await?;
    Ok(orders::add_note(&Ctx::new(&conn.db, &me), order_id, &body).await?)
}

/// One preview per selected order and the reason for each it cannot go
/// through on; nothing is written. Progress per order; `cancel_job(job)`.
#[tauri::command]
pub async fn preview_bulk_orders(
    state: State<'_, AppState>,
    selection: Selection,
    change: BulkChange,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<BulkPreview> {
    let (conn, me) = state.reference_session("a bulk order change").await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    let report = super::progress_to(&on_progress);
    Ok(orders::bulk_preview(&ctx, &selection, change, &report, &running.cancel).await?)
}

/// Commits the confirmed previews, one transaction per order; a refused
/// order does not stop the others, cancelling stops before the next.
#[tauri::command]
pub async fn commit_bulk_orders(
    state: State<'_, AppState>,
    previews: Vec<Preview>,
    reason: Option<String>,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<Vec<BulkOutcome>> {
    let (conn, me) = state.reference_session("a bulk order change").await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    let report = super::progress_to(&on_progress);
    let reason = reason.as_deref();
    Ok(orders::bulk_commit(&ctx, &previews, reason, &report, &running.cancel).await?)
}
