//! What the shell holds between calls: the profiles file, the keychain, and
//! the open connection. The session lives here, in Rust, not in the web view.

use std::sync::Arc;

use backoffice_core::db::Db;
use backoffice_core::operators::Operator;
use backoffice_core::profiles::{Profile, ProfileStore};
use backoffice_core::secrets::{KeyringStore, SecretStore};
use backoffice_core::{Error, Result};
use tokio::sync::RwLock;

pub struct Connection {
    pub profile: Profile,
    pub db: Db,
    /// The operator signed in on this connection, if any.
    pub operator: RwLock<Option<Operator>>,
}

pub struct AppState {
    pub profiles: ProfileStore,
    pub secrets: Arc<dyn SecretStore>,
    pub connection: RwLock<Option<Arc<Connection>>>,
}

impl AppState {
    pub fn from_environment() -> Result<Self> {
        Ok(AppState {
            profiles: ProfileStore::open_default()?,
            secrets: Arc::new(KeyringStore::new()),
            connection: RwLock::new(None),
        })
    }

    /// The open connection and its signed-in operator, or a clear error.
    pub async fn session(&self) -> Result<(Arc<Connection>, Operator)> {
        let conn = self.connected().await?;
        let operator = conn.operator.read().await.clone().ok_or_else(|| {
            Error::Forbidden("not signed in: sign in as a console operator first".into())
        })?;
        Ok((conn, operator))
    }

    /// The open connection, or a clear error when there is none.
    pub async fn connected(&self) -> Result<Arc<Connection>> {
        self.connection
            .read()
            .await
            .clone()
            .ok_or_else(|| Error::NotFound("not connected: choose a profile first".into()))
    }
}
