//! Notifications: built-in templates, a transactional outbox with
//! idempotency keys, and a dispatcher that delivers over SMTP.
//!
//! A trigger renders nothing it cannot render again: it freezes the
//! template's values (names, order lines) in an outbox row, in the same
//! transaction as the change that caused it, and returns. The dispatcher
//! claims due rows, makes the links of verification and reset emails (the
//! console's tokens, of which only a SHA-256 hash is stored, or the back
//! end's own format: [`links`]), renders, sends and records each attempt.
//! Delivery is at least once; the only messages that can arrive twice are
//! those marked `uncertain`, which an operator resends on purpose.

mod about;
mod bulk;
mod bulk_mapped;
mod catalogue;
pub mod dispatch;
mod links;
mod outbox;
mod policy;
mod queue;
mod settings;
mod templates;
pub mod tokens;
mod trigger;
mod vars;
mod vars_mapped;

use serde::{Deserialize, Serialize};

use crate::operators::Permission;
use crate::{Error, Result};

pub use about::Sent;
pub(crate) use about::{sent_about, timeline as about_timeline, About};
pub use bulk::{bulk_preview, bulk_queue, Audience, BulkPreview, BulkReport, MAX_RECIPIENTS};
pub use catalogue::{catalogue, TemplateInfo};
pub use links::{check_secret, BackendLinks, SecretVerdict};
pub use outbox::{
    cancel, list, retry, show, Attempt, Channel, OutboxFilter, OutboxMessage, OutboxStatus,
    OutboxView,
};
pub use policy::Policy;
pub use settings::{MailSettings, Security};
pub use templates::Rendered;
pub(crate) use trigger::verify_new_address;
pub use trigger::{preview, send, AlreadySent, FreeForm, Trigger, Triggered};

/// The built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    VerifyEmail,
    PasswordReset,
    OrderStatus,
    OrderShipped,
    SupportMessage,
}

/// What a link in a message lets its reader do, and for how long.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkKind {
    /// `auth_tokens.purpose`.
    pub purpose: &'static str,
    /// The path after the profile's link base.
    pub path: &'static str,
    pub ttl: chrono::Duration,
    pub ttl_text: &'static str,
}

impl Template {
    pub const ALL: [Template; 5] = [
        Template::VerifyEmail,
        Template::PasswordReset,
        Template::OrderStatus,
        Template::OrderShipped,
        Template::SupportMessage,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Template::VerifyEmail => "verify_email",
            Template::PasswordReset => "password_reset",
            Template::OrderStatus => "order_status",
            Template::OrderShipped => "order_shipped",
            Template::SupportMessage => "support_message",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Template::VerifyEmail => "asks the user to confirm their address (link valid 24 h)",
            Template::PasswordReset => "lets the user choose a new password (link valid 1 h)",
            Template::OrderStatus => "tells the customer the order's current status",
            Template::OrderShipped => "tells the customer the order has shipped",
            Template::SupportMessage => "a message written by support (subject and text)",
        }
    }

    pub fn parse(text: &str) -> Result<Template> {
        Template::ALL
            .into_iter()
            .find(|t| t.id() == text)
            .ok_or_else(|| {
                Error::validation(format!(
                    "no template named '{}'; templates are: {}",
                    text.chars().take(40).collect::<String>(),
                    Template::ALL.map(Template::id).join(", ")
                ))
            })
    }

    /// Whether the template is about one order (`--order` required).
    pub fn needs_order(self) -> bool {
        matches!(self, Template::OrderStatus | Template::OrderShipped)
    }

    pub(crate) fn link(self) -> Option<LinkKind> {
        match self {
            Template::VerifyEmail => Some(LinkKind {
                purpose: "verify_email",
                path: "verify-email",
                ttl: chrono::Duration::hours(24),
                ttl_text: "24 hours",
            }),
            Template::PasswordReset => Some(LinkKind {
                purpose: "password_reset",
                path: "reset-password",
                ttl: chrono::Duration::hours(1),
                ttl_text: "1 hour",
            }),
            _ => None,
        }
    }

    /// Account emails need their own permission; the rest are
    /// notifications.
    pub fn permission(self) -> Permission {
        match self {
            Template::VerifyEmail | Template::PasswordReset => Permission::SendAccountEmails,
            _ => Permission::SendNotifications,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_round_trip() {
        for t in Template::ALL {
            assert_eq!(Template::parse(t.id()).unwrap(), t);
        }
        let err = Template::parse("welcome").unwrap_err().to_string();
        assert!(err.contains("verify_email, password_reset"), "{err}");
    }
}
