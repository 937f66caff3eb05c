//! The desktop shell: Tauri commands that take state, call the core and map
//! the error. No business logic lives here.

pub mod bindings;
mod commands;
mod error;
mod state;

use std::process::ExitCode;

pub use error::IpcError;
pub use state::AppState;

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
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_profiles,
            commands::connect,
            commands::disconnect,
            commands::sign_in,
            commands::sign_out,
            commands::search_users,
            commands::user_card,
            commands::user_action,
            commands::table_counts,
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
