//! Profiles, connecting, signing in, and the dashboard.

use std::sync::Arc;

use backoffice_core::dashboard::{dashboard as read_dashboard, Dashboard};
use backoffice_core::db::{Backend, Db, OpenOptions};
use backoffice_core::operators::{self, Operator, Permission};
use backoffice_core::profiles::{self, add_profile as save_profile, Profile};
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::stats::{mapped_table_counts, table_counts as count_tables, TableCount};
use backoffice_core::{Error, Result};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::attach;
use crate::error::IpcResult;
use crate::mail;
use crate::state::{AppState, Connection};

/// A profile as the web view may see it: where, never a password.
#[derive(Serialize, ts_rs::TS)]
pub struct ProfileView {
    name: String,
    backend: Backend,
    location: String,
    read_only: bool,
    demo: bool,
    /// What the edit form shows again (never the password).
    host: Option<String>,
    port: Option<u16>,
    database: String,
    user: Option<String>,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        ProfileView {
            name: p.name.clone(),
            backend: p.backend,
            location: p.location(),
            read_only: p.read_only,
            demo: p.demo,
            host: p.host.clone(),
            port: p.port,
            database: p.database.clone(),
            user: p.user.clone(),
        }
    }
}

#[derive(Serialize, ts_rs::TS)]
pub struct ConnectionView {
    profile: ProfileView,
    label: String,
    server: String,
    /// False: a back end without the console's tables yet; the window
    /// shows what detection recognised and offers to attach it.
    attached: bool,
    /// A back end of its own, worked through its mapping (false on the
    /// demo).
    mapped: bool,
    /// What the mapping recognised ("django + axes + allauth + oscar").
    preset: Option<String>,
    /// Why a back end of its own has no usable mapping, in words.
    mapping_problem: Option<String>,
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
    Ok(open_connection(&state, profile).await?)
}

/// Opens the profile's database as the window's connection (closing the
/// one before) and says what it is.
pub async fn open_connection(state: &AppState, profile: Profile) -> Result<ConnectionView> {
    let opened = attach::open(&profile, state.secrets.as_ref()).await?;
    let server = opened.db.server_version().await?;
    let view = ConnectionView {
        profile: ProfileView::from(&profile),
        label: opened.db.label().to_string(),
        server,
        attached: opened.attached,
        mapped: opened.mapping.is_some() || opened.problem.is_some(),
        preset: opened.mapping.as_ref().and_then(|m| m.preset.clone()),
        mapping_problem: opened.problem,
    };
    let mapped = view.mapped;
    let conn = Connection::new(profile, opened.db, opened.attached, mapped, opened.mapping);
    let previous = state.connection.write().await.replace(Arc::new(conn));
    if let Some(old) = previous {
        old.close().await;
    }
    Ok(view)
}

#[tauri::command]
pub async fn disconnect(state: State<'_, AppState>) -> IpcResult<()> {
    state.cancel_all_jobs();
    if let Some(old) = state.connection.write().await.take() {
        old.close().await;
    }
    Ok(())
}

/// A new profile as the window's form sends it. The password goes to the
/// keychain and is never sent back.
#[derive(Deserialize, ts_rs::TS)]
pub struct ProfileDraft {
    name: String,
    backend: Backend,
    host: Option<String>,
    port: Option<u16>,
    database: String,
    user: Option<String>,
    read_only: bool,
    password: Option<String>,
}

impl ProfileDraft {
    /// The profile as typed (blank fields are none) and its password.
    fn profile(self) -> (Profile, Option<Secret>) {
        let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let profile = Profile {
            name: self.name.trim().to_string(),
            backend: self.backend,
            host: blank(self.host),
            port: self.port,
            database: self.database.trim().to_string(),
            user: blank(self.user),
            keychain: None,
            read_only: self.read_only,
            demo: false,
            mail: None,
            mapping: None,
            backend_secret: false,
            webhook_secret: false,
        };
        let password = self.password.filter(|p| !p.is_empty()).map(Secret::new);
        (profile, password)
    }
}

#[tauri::command]
pub fn add_profile(state: State<'_, AppState>, draft: ProfileDraft) -> IpcResult<ProfileView> {
    let (profile, password) = draft.profile();
    let view = ProfileView::from(&profile);
    save_profile(
        &state.profiles,
        state.secrets.as_ref(),
        profile,
        password,
        false,
    )?;
    Ok(view)
}

/// Changes a profile's connection; an empty password keeps the stored one.
/// Not the profile this window is connected to.
#[tauri::command]
pub async fn update_profile(
    state: State<'_, AppState>,
    draft: ProfileDraft,
) -> IpcResult<ProfileView> {
    let (profile, password) = draft.profile();
    let name = profile.name.clone();
    not_in_use(&state, &name).await?;
    profiles::edit_profile(&state.profiles, state.secrets.as_ref(), profile, password)?;
    Ok(ProfileView::from(&state.profiles.get(&name)?))
}

/// Refuses to change the profile this window is connected to.
async fn not_in_use(state: &AppState, name: &str) -> IpcResult<()> {
    if let Ok(conn) = state.connected().await {
        if conn.profile.name == name {
            return Err(Error::Conflict(format!(
                "profile '{name}' is in use in this window: disconnect first"
            ))
            .into());
        }
    }
    Ok(())
}

/// Removes a profile and its keychain entries (the database is not
/// touched). Not the one this window is connected to.
#[tauri::command]
pub async fn remove_profile(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    not_in_use(&state, &name).await?;
    profiles::remove_profile(&state.profiles, state.secrets.as_ref(), &name)?;
    Ok(())
}

/// Connects without migrating or changing anything, and says where the
/// schema stands.
#[tauri::command]
pub async fn test_profile(state: State<'_, AppState>, name: String) -> IpcResult<String> {
    let profile = state.profiles.get(&name)?;
    let db = Db::connect(
        &profile.target(state.secrets.as_ref())?,
        OpenOptions {
            read_only: profile.read_only,
            create_if_missing: false,
        },
    )
    .await?;
    let server = db.server_version().await;
    let schema = db.schema_status().await;
    db.close().await;
    Ok(format!(
        "connected to {} ({}); schema: {}",
        profile.location(),
        server?,
        schema?.describe()
    ))
}

/// Who is signed in, as the web view may see it.
#[derive(Serialize, ts_rs::TS)]
pub struct OperatorView {
    username: String,
    role: String,
    /// What this operator may do: the window offers only these actions
    /// (the core checks each one again).
    permissions: Vec<Permission>,
}

impl From<&Operator> for OperatorView {
    fn from(o: &Operator) -> Self {
        OperatorView {
            username: o.username().to_string(),
            role: o.role().as_str().to_string(),
            permissions: Permission::ALL
                .iter()
                .copied()
                .filter(|p| o.can(*p))
                .collect(),
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
    if !conn.attached {
        return Err(Error::validation(
            "this back end has no console operators yet: attach it first, which creates the \
             first admin",
        )
        .into());
    }
    let password = Secret::new(password);
    let operator = operators::sign_in(&conn.db, &username, &password, Utc::now()).await?;
    let view = OperatorView::from(&operator);
    *conn.operator.write().await = Some(operator.clone());
    mail::start_dispatcher(&conn, operator, Arc::clone(&state.secrets));
    Ok(view)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> IpcResult<()> {
    state.cancel_all_jobs();
    if let Ok(conn) = state.connected().await {
        conn.stop_dispatcher();
        conn.operator.write().await.take();
    }
    Ok(())
}

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> IpcResult<Dashboard> {
    let (conn, me) = state.session().await?;
    let ctx = Ctx::new(&conn.db, &me);
    Ok(read_dashboard(&ctx, conn.views_mapping().as_deref()).await?)
}

#[tauri::command]
pub async fn table_counts(state: State<'_, AppState>) -> IpcResult<Vec<TableCount>> {
    let (conn, _operator) = state.session().await?;
    Ok(match &conn.views_mapping() {
        Some(m) => mapped_table_counts(&conn.db, m).await?,
        None => count_tables(&conn.db).await?,
    })
}
