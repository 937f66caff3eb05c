//! What the shell holds between calls: the profiles file, the keychain, the
//! open connection and the long work under way. The session lives here, in
//! Rust, not in the web view.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use backoffice_core::db::Db;
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::Operator;
use backoffice_core::profiles::{Profile, ProfileStore};
use backoffice_core::progress::CancelToken;
use backoffice_core::secrets::{KeyringStore, SecretStore};
use backoffice_core::{Error, Result};
use tokio::sync::RwLock;

use crate::mail::MailStatus;

pub struct Connection {
    pub profile: Profile,
    pub db: Db,
    /// False until the console's tables are beside the back end's.
    pub attached: bool,
    /// A back end of its own (not the demo), with a usable mapping or not.
    pub mapped: bool,
    /// A back end of its own: its mapping (none on the demo, or while the
    /// profile's mapping does not read); replaced when the window saves one.
    mapping: std::sync::RwLock<Option<Arc<Mapping>>>,
    /// The operator signed in on this connection, if any.
    pub operator: RwLock<Option<Operator>>,
    /// Stops the background mail dispatcher, when one runs.
    pub dispatcher: Mutex<Option<CancelToken>>,
    /// Whether this window delivers the outbox.
    mail: Mutex<MailStatus>,
}

impl Connection {
    pub fn new(
        profile: Profile,
        db: Db,
        attached: bool,
        mapped: bool,
        mapping: Option<Arc<Mapping>>,
    ) -> Self {
        Connection {
            profile,
            db,
            attached,
            mapped,
            mapping: std::sync::RwLock::new(mapping),
            operator: RwLock::new(None),
            dispatcher: Mutex::new(None),
            mail: Mutex::new(MailStatus::off("nobody is signed in")),
        }
    }

    /// The mapping in effect on this connection.
    pub fn mapping(&self) -> Option<Arc<Mapping>> {
        self.mapping.read().ok().and_then(|m| m.clone())
    }

    /// What the views read a back end of its own through: its mapping, or
    /// while it has none that reads, an empty one (its users and orders
    /// then show as not mapped); none on the demo.
    pub fn views_mapping(&self) -> Option<Arc<Mapping>> {
        match (self.mapping(), self.mapped) {
            (Some(m), _) => Some(m),
            (None, true) => Mapping::parse("format = 1").ok().map(Arc::new),
            (None, false) => None,
        }
    }

    /// The mapping the window saved, from now on.
    pub fn set_mapping(&self, mapping: Arc<Mapping>) {
        if let Ok(mut m) = self.mapping.write() {
            *m = Some(mapping);
        }
    }

    /// Stops the mail dispatcher, if it runs.
    pub fn stop_dispatcher(&self) {
        if let Some(token) = self.dispatcher.lock().ok().and_then(|mut d| d.take()) {
            token.cancel();
        }
        self.set_mail_status(MailStatus::off("nobody is signed in"));
    }

    pub fn mail_status(&self) -> MailStatus {
        self.mail
            .lock()
            .map(|m| m.clone())
            .unwrap_or_else(|_| MailStatus::off("unknown"))
    }

    pub fn set_mail_status(&self, status: MailStatus) {
        if let Ok(mut m) = self.mail.lock() {
            *m = status;
        }
    }

    pub async fn close(&self) {
        self.stop_dispatcher();
        self.operator.write().await.take();
        self.db.close().await;
    }
}

pub struct AppState {
    pub profiles: ProfileStore,
    pub secrets: Arc<dyn SecretStore>,
    pub connection: RwLock<Option<Arc<Connection>>>,
    /// Long operations under way, by the id the window gave them, so the
    /// window can cancel them.
    jobs: Mutex<HashMap<String, CancelToken>>,
    /// The folder of the last export, where the next save dialog opens.
    export_dir: Mutex<Option<PathBuf>>,
}

/// A long operation's cancel token; forgets the job when dropped.
pub struct Job<'a> {
    state: &'a AppState,
    id: String,
    pub cancel: CancelToken,
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        if let Ok(mut jobs) = self.state.jobs.lock() {
            jobs.remove(&self.id);
        }
    }
}

impl AppState {
    pub fn from_environment() -> Result<Self> {
        Ok(AppState {
            profiles: ProfileStore::open_default()?,
            secrets: Arc::new(KeyringStore::new()),
            connection: RwLock::new(None),
            jobs: Mutex::new(HashMap::new()),
            export_dir: Mutex::new(None),
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

    /// As [`AppState::session`], for a view of the console's reference
    /// schema (the demo): a back end of its own is refused in words, since
    /// its tables are not the reference schema's (`what` says what).
    pub async fn reference_session(&self, what: &str) -> Result<(Arc<Connection>, Operator)> {
        let (conn, operator) = self.session().await?;
        if conn.mapped {
            return Err(Error::validation(format!(
                "{what} on a back end of its own is not in the window yet; the `backoffice` \
                 command-line tool does it through the mapping"
            )));
        }
        Ok((conn, operator))
    }

    /// As [`AppState::session`], on a back end of its own: with its
    /// mapping, or why there is none.
    pub async fn mapped_session(&self) -> Result<(Arc<Connection>, Operator, Arc<Mapping>)> {
        let (conn, operator) = self.session().await?;
        let mapping = conn.mapping().ok_or_else(|| {
            Error::validation(
                "this connection has no mapping to read a back end of its own through",
            )
        })?;
        Ok((conn, operator, mapping))
    }

    /// The open connection, or a clear error when there is none.
    pub async fn connected(&self) -> Result<Arc<Connection>> {
        self.connection
            .read()
            .await
            .clone()
            .ok_or_else(|| Error::NotFound("not connected: choose a profile first".into()))
    }

    /// Registers a long operation under the window's id.
    pub fn start_job(&self, id: &str) -> Result<Job<'_>> {
        let mut jobs = self
            .jobs
            .lock()
            .map_err(|_| Error::internal("the job table is poisoned"))?;
        if jobs.contains_key(id) {
            return Err(Error::validation(format!("job '{id}' is already running")));
        }
        let cancel = CancelToken::new();
        jobs.insert(id.to_string(), cancel.clone());
        Ok(Job {
            state: self,
            id: id.to_string(),
            cancel,
        })
    }

    pub fn export_dir(&self) -> Option<PathBuf> {
        self.export_dir.lock().ok().and_then(|d| d.clone())
    }

    pub fn set_export_dir(&self, dir: PathBuf) {
        if let Ok(mut d) = self.export_dir.lock() {
            *d = Some(dir);
        }
    }

    /// Stops every long operation: at sign-out nothing started by one
    /// operator goes on under the next.
    pub fn cancel_all_jobs(&self) {
        if let Ok(jobs) = self.jobs.lock() {
            jobs.values().for_each(CancelToken::cancel);
        }
    }

    /// Asks a long operation to stop; false when it is not running.
    pub fn cancel_job(&self, id: &str) -> bool {
        match self.jobs.lock().ok().and_then(|j| j.get(id).cloned()) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}
