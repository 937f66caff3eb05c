//! Notifications: preview and send one, the outbox and its retries.

use backoffice_core::notify::{
    self, OutboxFilter, OutboxMessage, Policy, Rendered, Template, Trigger, Triggered,
};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::session::Ctx;
use tauri::State;

use crate::error::IpcResult;
use crate::state::{AppState, Connection};

fn policy(conn: &Connection) -> Policy {
    conn.profile
        .mail
        .as_ref()
        .map(Policy::from)
        .unwrap_or_default()
}

fn trigger(template: Template, user_id: Option<i64>, order_id: Option<i64>) -> Trigger {
    Trigger {
        template,
        user_id,
        order_id,
        message: None,
        key: None,
        force: false,
        reason: None,
    }
}

/// What the notification would say, without queueing it.
#[tauri::command]
pub async fn preview_notification(
    state: State<'_, AppState>,
    template: Template,
    user_id: Option<i64>,
    order_id: Option<i64>,
) -> IpcResult<Rendered> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let t = trigger(template, user_id, order_id);
    Ok(notify::preview(&ctx, &policy(&conn), t).await?)
}

/// Queues the notification, or answers that it was already sent (and by
/// whom); `force` queues a repeat anyway, with a reason in the audit log.
#[tauri::command]
pub async fn send_notification(
    state: State<'_, AppState>,
    template: Template,
    user_id: Option<i64>,
    order_id: Option<i64>,
    force: bool,
    reason: Option<String>,
) -> IpcResult<Triggered> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let t = Trigger {
        force,
        reason,
        ..trigger(template, user_id, order_id)
    };
    Ok(notify::send(&ctx, &policy(&conn), t).await?)
}

#[tauri::command]
pub async fn list_outbox(
    state: State<'_, AppState>,
    filter: OutboxFilter,
    page: PageRequest,
) -> IpcResult<Page<OutboxMessage>> {
    let (conn, me) = state.session().await?;
    Ok(notify::list(&Ctx::new(&conn.db, &me), &filter, &page).await?)
}

#[tauri::command]
pub async fn retry_outbox(
    state: State<'_, AppState>,
    id: i64,
    reason: Option<String>,
) -> IpcResult<OutboxMessage> {
    let (conn, me) = state.session().await?;
    Ok(notify::retry(&Ctx::new(&conn.db, &me), id, reason.as_deref()).await?)
}

#[tauri::command]
pub async fn cancel_outbox(
    state: State<'_, AppState>,
    id: i64,
    reason: Option<String>,
) -> IpcResult<OutboxMessage> {
    let (conn, me) = state.session().await?;
    Ok(notify::cancel(&Ctx::new(&conn.db, &me), id, reason.as_deref()).await?)
}
