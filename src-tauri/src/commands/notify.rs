//! Notifications: preview and send one, the outbox and its retries.

use backoffice_core::notify::{
    self, Audience, BulkPreview, BulkReport, FreeForm, OutboxFilter, OutboxMessage, OutboxView,
    Policy, Rendered, Template, TemplateInfo, Trigger, Triggered,
};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::profiles::backend_links;
use backoffice_core::progress::Progress;
use backoffice_core::session::Ctx;
use backoffice_core::{Error, Result};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcResult;
use crate::mail::MailStatus;
use crate::state::{AppState, Connection};

/// How triggers behave here: the profile's mail settings and, on a back
/// end of its own, its mapping and secret, so that its users and orders
/// are read through the mapping and its links take its own format.
fn policy(state: &AppState, conn: &Connection) -> Result<Policy> {
    let mut policy = conn
        .profile
        .mail
        .as_ref()
        .map(Policy::from)
        .unwrap_or_default();
    if conn.mapped {
        let mapping = conn.mapping().ok_or_else(|| {
            Error::validation(
                "this back end's mapping does not read, so its users cannot be found: mend it \
                 on the Schema page",
            )
        })?;
        let secrets = state.secrets.as_ref();
        policy.backend = Some(backend_links(
            (*mapping).clone(),
            Some(&conn.profile),
            secrets,
        )?);
    }
    Ok(policy)
}

fn trigger(
    template: Template,
    user: Option<String>,
    order: Option<String>,
    message: Option<FreeForm>,
) -> Trigger {
    Trigger {
        template,
        user,
        order,
        message,
        key: None,
        force: false,
        reason: None,
    }
}

/// Whether this window delivers the outbox, and if not, why.
#[tauri::command]
pub async fn mail_status(state: State<'_, AppState>) -> IpcResult<MailStatus> {
    Ok(state.connected().await?.mail_status())
}

/// The templates, with whether the signed-in operator may send each.
#[tauri::command]
pub async fn list_templates(state: State<'_, AppState>) -> IpcResult<Vec<TemplateInfo>> {
    let (_, me) = state.session().await?;
    Ok(notify::catalogue(Some(me.role())))
}

/// How many an audience reaches, how many were already notified, and what
/// the first of them would read.
#[tauri::command]
pub async fn preview_bulk_notification(
    state: State<'_, AppState>,
    template: Template,
    audience: Audience,
    message: Option<FreeForm>,
) -> IpcResult<BulkPreview> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let message = message.as_ref();
    Ok(notify::bulk_preview(&ctx, &policy(&state, &conn)?, template, &audience, message).await?)
}

/// Queues the notification for the whole audience in chunks, with
/// progress; cancelling stops before the next chunk.
#[tauri::command]
pub async fn send_bulk_notification(
    state: State<'_, AppState>,
    template: Template,
    audience: Audience,
    message: Option<FreeForm>,
    reason: Option<String>,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<BulkReport> {
    let (conn, me) = state.session().await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    let report = super::progress_to(&on_progress);
    let (policy, message, reason) = (policy(&state, &conn)?, message.as_ref(), reason.as_deref());
    let sent = notify::bulk_queue(
        &ctx,
        &policy,
        template,
        &audience,
        message,
        reason,
        &report,
        &running.cancel,
    );
    Ok(sent.await?)
}

/// What the notification would say, without queueing it.
#[tauri::command]
pub async fn preview_notification(
    state: State<'_, AppState>,
    template: Template,
    user: Option<String>,
    order: Option<String>,
    message: Option<FreeForm>,
) -> IpcResult<Rendered> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let t = trigger(template, user, order, message);
    Ok(notify::preview(&ctx, &policy(&state, &conn)?, t).await?)
}

/// Queues the notification, or answers that it was already sent (and by
/// whom); `force` queues a repeat anyway, with a reason in the audit log.
#[tauri::command]
pub async fn send_notification(
    state: State<'_, AppState>,
    template: Template,
    user: Option<String>,
    order: Option<String>,
    message: Option<FreeForm>,
    force: bool,
    reason: Option<String>,
) -> IpcResult<Triggered> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    let t = Trigger {
        force,
        reason,
        ..trigger(template, user, order, message)
    };
    Ok(notify::send(&ctx, &policy(&state, &conn)?, t).await?)
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
pub async fn show_outbox(state: State<'_, AppState>, id: i64) -> IpcResult<OutboxView> {
    let (conn, me) = state.session().await?;
    Ok(notify::show(&Ctx::new(&conn.db, &me), id).await?)
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
