//! Every list as CSV, to a file the operator picks in the system's save
//! dialog (opened from Rust: the web view gets no dialog or file access).
//! The rows stream to `NAME.part` beside the chosen file and it takes the
//! chosen name only once complete, so a cancelled or failed export leaves
//! nothing that looks finished.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use backoffice_core::audit::AuditFilter;
use backoffice_core::exports::{audit_csv, findings_csv, outbox_csv};
use backoffice_core::notify::OutboxFilter;
use backoffice_core::orders::{self, OrderQuery};
use backoffice_core::paths;
use backoffice_core::progress::Progress;
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserQuery};
use backoffice_core::validation::FindingFilter;
use backoffice_core::Error;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::IpcResult;
use crate::state::AppState;

/// Which list, with the filters the view shows.
#[derive(Deserialize, ts_rs::TS)]
#[serde(tag = "list", rename_all = "snake_case")]
pub enum ExportRequest {
    Users { query: UserQuery },
    Orders { query: OrderQuery },
    Findings { filter: FindingFilter },
    Outbox { filter: OutboxFilter },
    Audit { filter: AuditFilter },
}

impl ExportRequest {
    fn name(&self) -> &'static str {
        match self {
            ExportRequest::Users { .. } => "users",
            ExportRequest::Orders { .. } => "orders",
            ExportRequest::Findings { .. } => "findings",
            ExportRequest::Outbox { .. } => "outbox",
            ExportRequest::Audit { .. } => "audit",
        }
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct ExportDone {
    path: String,
    #[ts(type = "number")]
    rows: u64,
}

/// Asks where to save, in the folder of the last export (or the person's
/// documents); remembers the folder chosen.
async fn choose_file(app: &AppHandle, state: &AppState, name: &str) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let today = chrono::Local::now().format("%Y-%m-%d");
    let mut dialog = app.dialog().file();
    if let Some(dir) = state.export_dir().or_else(paths::documents_dir) {
        dialog = dialog.set_directory(dir);
    }
    dialog
        .set_title(format!("Export {name} as CSV"))
        .set_file_name(format!("{name}-{today}.csv"))
        .add_filter("CSV", &["csv"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let path = rx.await.ok().flatten().and_then(|p| p.into_path().ok())?;
    if let Some(dir) = path.parent() {
        state.set_export_dir(dir.to_path_buf());
    }
    Some(path)
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// Exports the list to a file the operator picks; `None` when they close
/// the dialog. Progress counts rows; `cancel_job(job)` stops it.
#[tauri::command]
pub async fn export_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
    job: String,
    on_progress: Channel<Progress>,
) -> IpcResult<Option<ExportDone>> {
    let (conn, me) = match &request {
        ExportRequest::Users { .. } | ExportRequest::Orders { .. } => {
            state.reference_session("this export").await?
        }
        _ => state.session().await?,
    };
    let running = state.start_job(&job)?;
    let Some(path) = choose_file(&app, &state, request.name()).await else {
        return Ok(None);
    };
    let part = part_path(&path);
    let cannot =
        |e: std::io::Error| Error::Unavailable(format!("cannot write {}: {e}", part.display()));
    let mut out = BufWriter::new(File::create(&part).map_err(cannot)?);
    let ctx = Ctx::new(&conn.db, &me);
    let progress = super::progress_to(&on_progress);
    let cancel = &running.cancel;
    let written = match &request {
        ExportRequest::Users { query } => {
            users::export_csv(&ctx, query, &mut out, &progress, cancel).await
        }
        ExportRequest::Orders { query } => {
            orders::export_csv(&ctx, query, &mut out, &progress, cancel).await
        }
        ExportRequest::Findings { filter } => {
            findings_csv(&ctx, filter, &mut out, &progress, cancel).await
        }
        ExportRequest::Outbox { filter } => {
            outbox_csv(&ctx, filter, &mut out, &progress, cancel).await
        }
        ExportRequest::Audit { filter } => {
            audit_csv(&ctx, filter, &mut out, &progress, cancel).await
        }
    }
    .and_then(|rows| out.flush().map(|()| rows).map_err(cannot));
    drop(out);
    let rows = match written {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e.into());
        }
    };
    std::fs::rename(&part, &path).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::Unavailable(format!("cannot write {}: {e}", path.display()))
    })?;
    Ok(Some(ExportDone {
        path: path.display().to_string(),
        rows,
    }))
}
