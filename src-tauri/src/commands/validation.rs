//! The validation view: catalogue, sweeps with progress and cancel, the
//! findings worklist.

use backoffice_core::page::{Page, PageRequest};
use backoffice_core::progress::Progress;
use backoffice_core::session::Ctx;
use backoffice_core::validation::{
    self, Finding, FindingFilter, FixPreview, FixReport, LastRun, Params, RuleCount, RuleInfo,
    RunReport,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// The rule catalogue; on a back end of its own, each rule with why it
/// cannot run there, if it cannot.
#[tauri::command]
pub async fn validation_rules(state: State<'_, AppState>) -> IpcResult<Vec<RuleInfo>> {
    let (conn, _) = state.session().await?;
    if !conn.mapped {
        return Ok(validation::catalogue());
    }
    let (conn, _, mapping) = state.mapped_session().await?;
    Ok(validation::mapped::catalogue_on(&conn.db, &mapping).await?)
}

/// Runs every rule (on a back end of its own, every rule its mapping
/// expresses), streaming progress; `cancel_job(job)` stops it and nothing
/// of the run is kept.
#[tauri::command]
pub async fn run_validation(
    state: State<'_, AppState>,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<RunReport> {
    let (conn, me) = state.session().await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    let report = super::progress_to(&on_progress);
    if conn.mapped {
        let (_, _, mapping) = state.mapped_session().await?;
        let run = validation::mapped::run(&ctx, &mapping, &[], &report, &running.cancel);
        return Ok(run.await?);
    }
    let params = Params::at(ctx.now);
    Ok(validation::run(&ctx, &[], &params, &report, &running.cancel).await?)
}

/// Asks a long operation started by this window to stop.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, job: String) -> bool {
    state.cancel_job(&job)
}

#[tauri::command]
pub async fn findings_summary(state: State<'_, AppState>) -> IpcResult<Vec<RuleCount>> {
    let (conn, me) = state.session().await?;
    Ok(validation::summary(&Ctx::new(&conn.db, &me)).await?)
}

#[tauri::command]
pub async fn last_validation_run(state: State<'_, AppState>) -> IpcResult<Option<LastRun>> {
    let (conn, me) = state.session().await?;
    Ok(validation::last_run(&Ctx::new(&conn.db, &me)).await?)
}

#[tauri::command]
pub async fn list_findings(
    state: State<'_, AppState>,
    filter: FindingFilter,
    page: PageRequest,
) -> IpcResult<Page<Finding>> {
    let (conn, me) = state.session().await?;
    Ok(validation::list(&Ctx::new(&conn.db, &me), &filter, &page).await?)
}

#[tauri::command]
pub async fn accept_finding(
    state: State<'_, AppState>,
    id: i64,
    version: i64,
    reason: String,
) -> IpcResult<Finding> {
    let (conn, me) = state.session().await?;
    Ok(validation::accept(&Ctx::new(&conn.db, &me), id, version, &reason).await?)
}

/// What the rule's mechanical fix would change for its open findings;
/// nothing is written.
#[tauri::command]
/// Previews a fix for every open finding it covers, or only for the
/// records in `only` (one finding's record, from its row).
pub async fn preview_fix(
    state: State<'_, AppState>,
    fix_id: String,
    only: Option<Vec<i64>>,
) -> IpcResult<FixPreview> {
    let (conn, me) = state.reference_session("a fix").await?;
    let only = only.unwrap_or_default();
    Ok(validation::preview_fix(&Ctx::new(&conn.db, &me), &fix_id, &only).await?)
}

/// Applies exactly the confirmed preview, record by record (a record
/// changed since is left alone and named); admins only.
#[tauri::command]
pub async fn apply_fix(
    state: State<'_, AppState>,
    preview: FixPreview,
    reason: Option<String>,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<FixReport> {
    let (conn, me) = state.reference_session("a fix").await?;
    let running = state.start_job(&job)?;
    let ctx = Ctx::new(&conn.db, &me);
    let report = super::progress_to(&on_progress);
    let reason = reason.as_deref();
    Ok(validation::apply_fix(&ctx, &preview, reason, &report, &running.cancel).await?)
}
