//! How triggers behave on one connection.

use std::sync::Arc;

use chrono::Duration;

use super::links::BackendLinks;
use super::settings::MailSettings;

/// How triggers behave on this connection: the idempotency window, the
/// link base previews show, and for a back end of its own, its mapping and
/// link secret (none: the reference schema).
#[derive(Debug, Clone)]
pub struct Policy {
    pub window: Duration,
    pub link_base: Option<String>,
    pub backend: Option<Arc<BackendLinks>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Duration::minutes(60),
            link_base: None,
            backend: None,
        }
    }
}

impl From<&MailSettings> for Policy {
    fn from(s: &MailSettings) -> Self {
        Policy {
            window: s.window(),
            link_base: Some(s.link_base.clone()),
            backend: None,
        }
    }
}
