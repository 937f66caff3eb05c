//! One command per operation, so each can be granted on its own.

use std::sync::Arc;

use backoffice_core::db::Backend;
use backoffice_core::operators::{self, Operator};
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::profiles::Profile;
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::stats::{table_counts as count_tables, TableCount};
use backoffice_core::users::{self, TroubleCard, User, UserAction, UserQuery};
use chrono::Utc;
use serde::Serialize;
use tauri::State;
use tokio::sync::RwLock;

use crate::error::IpcResult;
use crate::state::{AppState, Connection};

/// A profile as the web view may see it: where, never a password.
#[derive(Serialize, ts_rs::TS)]
pub struct ProfileView {
    name: String,
    backend: Backend,
    location: String,
    read_only: bool,
    demo: bool,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        ProfileView {
            name: p.name.clone(),
            backend: p.backend,
            location: p.location(),
            read_only: p.read_only,
            demo: p.demo,
        }
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct ConnectionView {
    profile: ProfileView,
    label: String,
    server: String,
}

#[derive(Serialize, ts_rs::TS)]
pub struct AppInfo {
    version: &'static str,
    profiles_file: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        profiles_file: state.profiles.path().display().to_string(),
    }
}

#[tauri::command]
pub fn list_profiles(state: State<'_, AppState>) -> IpcResult<Vec<ProfileView>> {
    Ok(state
        .profiles
        .list()?
        .iter()
        .map(ProfileView::from)
        .collect())
}

#[tauri::command]
pub async fn connect(state: State<'_, AppState>, name: String) -> IpcResult<ConnectionView> {
    let profile = state.profiles.get(&name)?;
    let db = profile.open(state.secrets.as_ref()).await?;
    let server = db.server_version().await?;
    let view = ConnectionView {
        profile: ProfileView::from(&profile),
        label: db.label().to_string(),
        server,
    };
    let previous = state.connection.write().await.replace(Arc::new(Connection {
        profile,
        db,
        operator: RwLock::new(None),
    }));
    if let Some(old) = previous {
        old.db.close().await;
    }
    Ok(view)
}

#[tauri::command]
pub async fn disconnect(state: State<'_, AppState>) -> IpcResult<()> {
    if let Some(old) = state.connection.write().await.take() {
        old.db.close().await;
    }
    Ok(())
}

/// Who is signed in, as the web view may see it.
#[derive(Serialize, ts_rs::TS)]
pub struct OperatorView {
    username: String,
    role: String,
}

impl From<&Operator> for OperatorView {
    fn from(o: &Operator) -> Self {
        OperatorView {
            username: o.username().to_string(),
            role: o.role().as_str().to_string(),
        }
    }
}

/// Signs in on the open connection. The password is wrapped at once and
/// never leaves Rust again; failed attempts count towards the lockout.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> IpcResult<OperatorView> {
    let conn = state.connected().await?;
    let password = Secret::new(password);
    let operator = operators::sign_in(&conn.db, &username, &password, Utc::now()).await?;
    let view = OperatorView::from(&operator);
    *conn.operator.write().await = Some(operator);
    Ok(view)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> IpcResult<()> {
    if let Ok(conn) = state.connected().await {
        conn.operator.write().await.take();
    }
    Ok(())
}

/// One page of users matching the query (debounced and paged by the UI).
#[tauri::command]
pub async fn search_users(
    state: State<'_, AppState>,
    query: UserQuery,
    page: PageRequest,
) -> IpcResult<Page<User>> {
    let (conn, me) = state.session().await?;
    Ok(users::search(&Ctx::new(&conn.db, &me), &query, &page).await?)
}

/// The sign-in trouble card of a user, by id or email address.
#[tauri::command]
pub async fn user_card(state: State<'_, AppState>, key: String) -> IpcResult<TroubleCard> {
    let (conn, me) = state.session().await?;
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
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(users::apply(&ctx, user_id, version, action, reason.as_deref()).await?)
}

#[tauri::command]
pub async fn table_counts(state: State<'_, AppState>) -> IpcResult<Vec<TableCount>> {
    let (conn, _operator) = state.session().await?;
    Ok(count_tables(&conn.db).await?)
}
