//! Console operators: who may use Backoffice, with argon2id password
//! hashes, sign-in with lockout, and the permission table.

mod manage;
pub mod permissions;
mod signin;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::db::{on_tx, WriteTx};
use crate::secrets::Secret;
use crate::{Error, Result};

pub use manage::{add_operator, check_new, list_operators, NewOperator, OperatorInfo};
pub use permissions::{allows, Permission};
pub use signin::{sign_in, LOCKOUT, MAX_FAILURES};

/// A signed-in operator. Only [`sign_in`] (or adding the very first
/// operator) makes one, so holding one means the password was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    id: i64,
    username: String,
    role: Role,
}

impl Operator {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Refuses with `forbidden` unless the operator's role allows it.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "operator '{}' ({}) may not {}",
                self.username,
                self.role.as_str(),
                permission.describe()
            )))
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        allows(self.role, permission)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Support,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Support => "support",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "support" => Ok(Role::Support),
            other => Err(Error::validation(format!(
                "unknown operator role '{other}'; use admin or support"
            ))),
        }
    }
}

/// An argon2id hash (PHC string) with a fresh random salt.
pub fn hash_password(password: &Secret) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("cannot hash the password: {e}")))
}

pub fn verify_password(hash: &str, password: &Secret) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub(crate) async fn insert(tx: &mut WriteTx, username: &str, role: Role, hash: &str) -> Result<()> {
    let sql = "INSERT INTO backoffice_operators (username, password_hash, role) VALUES ";
    on_tx!(&mut tx.tx, conn => {
        let mut qb = sqlx::QueryBuilder::new(sql);
        qb.push("(")
            .push_bind(username)
            .push(", ")
            .push_bind(hash)
            .push(", ")
            .push_bind(role.as_str())
            .push(")");
        qb.build().execute(&mut *conn).await.map(|_| ())
    })
    .map_err(|e| Error::db(&format!("cannot add operator '{username}'"), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_round_trip() {
        let pw = Secret::new("correct horse");
        let hash = hash_password(&pw).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, &pw));
        assert!(!verify_password(&hash, &Secret::new("wrong")));
        assert!(!verify_password("not a hash", &pw));
    }
}
