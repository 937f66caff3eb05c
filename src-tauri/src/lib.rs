//! The desktop shell: Tauri commands that take state, call the core and map
//! the error. No business logic lives here.

pub mod bindings;
mod commands;
mod error;
mod mail;
mod state;

use std::process::ExitCode;

pub use error::IpcError;
pub use state::AppState;

/// The environment variable that overrides the desktop's light or dark
/// preference ("light" or "dark"), e.g. for screenshots of both themes.
pub const THEME_ENV: &str = "BACKOFFICE_THEME";

fn force_theme(app: &tauri::App) {
    let theme = match std::env::var(THEME_ENV).as_deref() {
        Ok("dark") => tauri::Theme::Dark,
        Ok("light") => tauri::Theme::Light,
        _ => return,
    };
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        if let Err(e) = window.set_theme(Some(theme)) {
            tracing::warn!("cannot switch to the {theme:?} theme: {e}");
        }
    }
}

pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BACKOFFICE_LOG")
                // sqlx warns of every statement over a second; sweeps and
                // bulk loads run such statements on purpose.
                .unwrap_or_else(|_| "warn,sqlx::query=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let state = match AppState::from_environment() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            force_theme(app);
            Ok(())
        })
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::session::list_profiles,
            commands::session::add_profile,
            commands::session::test_profile,
            commands::session::remove_profile,
            commands::session::update_profile,
            commands::session::connect,
            commands::session::disconnect,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::dashboard,
            commands::session::table_counts,
            commands::attach::detect_backend,
            commands::attach::attach_backend,
            commands::schema::schema_page,
            commands::schema::create_search_indexes,
            commands::mapping_edit::mapping_catalogue,
            commands::mapping_edit::open_mapping_draft,
            commands::mapping_edit::edit_mapping_draft,
            commands::mapping_edit::set_mapping_status,
            commands::mapping_edit::save_mapping_draft,
            commands::users::search_users,
            commands::users::user_card,
            commands::users::user_action,
            commands::mapped_users::search_mapped_users,
            commands::mapped_users::mapped_user_card,
            commands::mapped_users::mapped_user_action,
            commands::orders::list_orders,
            commands::mapped_orders::list_mapped_orders,
            commands::mapped_orders::mapped_order_story,
            commands::mapped_orders::preview_mapped_order_change,
            commands::mapped_orders::commit_mapped_order_change,
            commands::orders::order_story,
            commands::orders::preview_order_change,
            commands::orders::commit_order_change,
            commands::orders::add_order_note,
            commands::orders::preview_bulk_orders,
            commands::orders::commit_bulk_orders,
            commands::validation::validation_rules,
            commands::validation::run_validation,
            commands::validation::cancel_job,
            commands::validation::findings_summary,
            commands::validation::last_validation_run,
            commands::validation::list_findings,
            commands::validation::accept_finding,
            commands::validation::preview_fix,
            commands::validation::apply_fix,
            commands::notify::preview_notification,
            commands::notify::send_notification,
            commands::notify::list_outbox,
            commands::notify::show_outbox,
            commands::notify::retry_outbox,
            commands::notify::cancel_outbox,
            commands::notify::list_templates,
            commands::notify::mail_status,
            commands::notify::preview_bulk_notification,
            commands::notify::send_bulk_notification,
            commands::audit::list_audit,
            commands::audit::verify_audit,
            commands::export::export_csv,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not start: {e}");
            ExitCode::from(1)
        }
    }
}
