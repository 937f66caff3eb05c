//! The console delivers what its operators queue: while someone who may
//! send notifications is signed in on a writable profile with mail
//! settings, a dispatcher sends the outbox in the background (several
//! consoles and `backoffice outbox dispatch` may run at once; the outbox
//! hands each message to one of them).

use std::sync::Arc;
use std::time::Duration;

use backoffice_core::mapping::Mapping;
use backoffice_core::notify::dispatch::{DispatchOptions, DispatchReport, Dispatcher};
use backoffice_core::operators::{Operator, Permission};
use backoffice_core::profiles::backend_links;
use backoffice_core::progress::CancelToken;
use backoffice_core::secrets::SecretStore;
use backoffice_core::session::Ctx;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::Connection;

/// After a failure, the dispatcher tries again after this long.
const RESTART_AFTER: Duration = Duration::from_secs(30);

/// Whether this window delivers the outbox, and if not, why: shown above
/// the outbox so an operator knows whether queued mail will leave.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MailStatus {
    /// Not delivering from this window.
    Off {
        reason: String,
    },
    Delivering,
    /// The dispatcher stopped on an error and starts again at `retry_at`.
    Failing {
        error: String,
        retry_at: DateTime<Utc>,
    },
    /// The mail server does not accept connections: messages wait, queued,
    /// without spending attempts, until it does.
    Unreachable {
        since: DateTime<Utc>,
        next_try: DateTime<Utc>,
        error: String,
    },
}

impl MailStatus {
    pub fn off(reason: &str) -> Self {
        MailStatus::Off {
            reason: reason.to_string(),
        }
    }
}

/// Why a dispatcher would not run for this operator here, if it would not.
fn reason_not_to_run(conn: &Connection, operator: &Operator) -> Option<&'static str> {
    if conn.profile.mail.is_none() {
        Some(
            "the profile has no mail settings; queued messages wait for a console or \
             `backoffice outbox dispatch` with them",
        )
    } else if conn.db.is_read_only() {
        Some("the profile is read-only")
    } else if !operator.can(Permission::SendNotifications) {
        Some("your role may not send notifications")
    } else {
        None
    }
}

/// On a back end with a mapping, links in its own format, keyed with its
/// secret; the console's tokens would be refused there.
fn for_this_back_end<'a>(
    d: Dispatcher<'a>,
    conn: &Connection,
    secrets: &dyn SecretStore,
) -> backoffice_core::Result<Dispatcher<'a>> {
    let Some(path) = &conn.profile.mapping else {
        return Ok(d);
    };
    let mapping = Mapping::load(path)?;
    Ok(d.for_backend(backend_links(mapping, Some(&conn.profile), secrets)?))
}

pub fn start_dispatcher(conn: &Arc<Connection>, operator: Operator, secrets: Arc<dyn SecretStore>) {
    conn.stop_dispatcher();
    if let Some(reason) = reason_not_to_run(conn, &operator) {
        conn.set_mail_status(MailStatus::off(reason));
        return;
    }
    let Some(settings) = conn.profile.mail.clone() else {
        return;
    };
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
                })
                .and_then(|d| for_this_back_end(d, &conn, secrets.as_ref()))
            {
                Ok(d) if !cancel.is_cancelled() => {
                    conn.set_mail_status(MailStatus::Delivering);
                    let status = |r: &DispatchReport| {
                        conn.set_mail_status(match &r.unreachable {
                            Some(o) => MailStatus::Unreachable {
                                since: o.since,
                                next_try: o.next_try,
                                error: o.detail.clone(),
                            },
                            None => MailStatus::Delivering,
                        })
                    };
                    d.watch(&cancel, &status).await.map(|_| ())
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = run {
                // Stopped at sign-out: the status is already "off".
                if cancel.is_cancelled() {
                    break;
                }
                tracing::warn!(
                    "the mail dispatcher stopped: {e}; trying again in {} s",
                    RESTART_AFTER.as_secs()
                );
                let retry_at =
                    Utc::now() + chrono::Duration::from_std(RESTART_AFTER).unwrap_or_default();
                conn.set_mail_status(MailStatus::Failing {
                    error: e.to_string(),
                    retry_at,
                });
                let mut waited = Duration::ZERO;
                while waited < RESTART_AFTER && !cancel.is_cancelled() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    waited += Duration::from_millis(200);
                }
            }
        }
    });
}
