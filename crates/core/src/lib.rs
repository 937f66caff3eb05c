//! Backoffice domain core: everything the desktop shell and the CLI share.
//!
//! Nothing here depends on Tauri. Operations take plain request values and
//! return plain results or a typed [`Error`] whose [`ErrorCode`] the UI and
//! the CLI branch on.

pub mod audit;
mod csv_out;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod error;
pub mod exports;
pub mod mapping;
pub mod money;
pub mod notify;
pub mod operators;
pub mod orders;
pub mod page;
pub mod paths;
pub mod profiles;
pub mod progress;
mod reason;
pub mod secrets;
pub mod seed;
pub mod session;
pub mod stats;
pub mod time;
pub mod users;
pub mod validation;
mod write;

pub use error::{Error, ErrorCode, Result};
