//! Signing in for one command: `--operator NAME`, the password from
//! `BACKOFFICE_PASSWORD`, a service's credential `operator.NAME` (systemd's
//! `LoadCredential=`), or a prompt.

use chrono::Utc;

use backoffice_core::db::Db;
use backoffice_core::operators::{sign_in, Operator};
use backoffice_core::secrets::{Secret, SecretKey, ServiceStore};
use backoffice_core::{Error, Result};

use crate::input;
use crate::target::Chosen;

pub const PASSWORD_ENV: &str = "BACKOFFICE_PASSWORD";

pub async fn operator(db: &Db, name: Option<&str>) -> Result<Operator> {
    let name = name.ok_or_else(|| {
        Error::validation("sign in with --operator NAME (or set BACKOFFICE_OPERATOR)")
    })?;
    let credential = || ServiceStore::from_env().credential(&SecretKey::Operator(name.into()));
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => Secret::new(p),
        Err(_) => match credential()? {
            Some(p) => p,
            None => input::prompt_secret(
                &format!("Password for operator {name}: "),
                "no operator password: set BACKOFFICE_PASSWORD or run in a terminal",
            )?,
        },
    };
    sign_in(db, name, &password, Utc::now()).await
}

/// Opens the chosen database and signs in: what every console command
/// starts with.
pub async fn open(chosen: &Chosen<'_>, name: Option<&str>) -> Result<(Db, Operator)> {
    let db = chosen.open(false).await?;
    match operator(&db, name).await {
        Ok(me) => Ok((db, me)),
        Err(e) => {
            db.close().await;
            Err(e)
        }
    }
}
