//! One command per operation, so each can be granted on its own. Each takes
//! the session from managed state, calls the core and maps the error.

pub mod attach;
pub mod audit;
pub mod export;
pub mod mapped_orders;
pub mod mapped_users;
pub mod mapping_edit;
pub mod notify;
pub mod orders;
pub mod schema;
pub mod session;
pub mod users;
pub mod validation;

use backoffice_core::progress::Progress;
use tauri::ipc::Channel;

/// Progress sent to the window over its channel; a window that went away
/// only stops seeing it.
pub fn progress_to(channel: &Channel<Progress>) -> impl Fn(Progress) + Send + Sync + '_ {
    move |p| {
        let _ = channel.send(p);
    }
}
