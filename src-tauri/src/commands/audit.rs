//! The audit log: filter, read, verify the chain.

use backoffice_core::audit::{self, AuditEntry, AuditFilter, VerifyReport};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::progress::NoProgress;
use backoffice_core::session::Ctx;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_audit(
    state: State<'_, AppState>,
    filter: AuditFilter,
    page: PageRequest,
) -> IpcResult<Page<AuditEntry>> {
    let (conn, me) = state.session().await?;
    Ok(audit::list(&Ctx::new(&conn.db, &me), &filter, &page).await?)
}

/// Walks the whole chain; `cancel_job(job)` stops it.
#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>, job: String) -> IpcResult<VerifyReport> {
    let (conn, me) = state.session().await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(audit::verify(&ctx, &NoProgress, &running.cancel).await?)
}
