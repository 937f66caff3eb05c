//! The console delivers what its operators queue: while someone who may
//! send notifications is signed in on a writable profile with mail
//! settings, a dispatcher sends the outbox in the background (several
//! consoles and `backoffice outbox dispatch` may run at once; the outbox
//! hands each message to one of them).

use std::sync::Arc;
use std::time::Duration;

use backoffice_core::notify::dispatch::{DispatchOptions, Dispatcher};
use backoffice_core::operators::{Operator, Permission};
use backoffice_core::progress::CancelToken;
use backoffice_core::secrets::SecretStore;
use backoffice_core::session::Ctx;

use crate::state::Connection;

/// After a failure, the dispatcher tries again after this long.
const RESTART_AFTER: Duration = Duration::from_secs(30);

pub fn start_dispatcher(conn: &Arc<Connection>, operator: Operator, secrets: Arc<dyn SecretStore>) {
    conn.stop_dispatcher();
    let Some(settings) = conn.profile.mail.clone() else {
        return;
    };
    if conn.db.is_read_only() || !operator.can(Permission::SendNotifications) {
        return;
    }
    let cancel = CancelToken::new();
    if let Ok(mut slot) = conn.dispatcher.lock() {
        *slot = Some(cancel.clone());
    }
    let conn = Arc::clone(conn);
    tauri::async_runtime::spawn(async move {
        while !cancel.is_cancelled() {
            let ctx = Ctx::new(&conn.db, &operator);
            // Read at each start, so a password fixed in the keychain is
            // picked up without signing in again.
            let run = match conn
                .profile
                .smtp_password(secrets.as_ref())
                .and_then(|password| {
                    Dispatcher::new(&ctx, settings.clone(), password, DispatchOptions::default())
                }) {
                Ok(d) => d.watch(&cancel, &|_| {}).await,
                Err(e) => Err(e),
            };
            if let Err(e) = run {
                tracing::warn!(
                    "the mail dispatcher stopped: {e}; trying again in {} s",
                    RESTART_AFTER.as_secs()
                );
                let mut waited = Duration::ZERO;
                while waited < RESTART_AFTER && !cancel.is_cancelled() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    waited += Duration::from_millis(200);
                }
            }
        }
    });
}
