//! The tokens in verification and password-reset links: 32 random bytes
//! from the OS, sent only inside the email. The database keeps their
//! SHA-256 hash with an expiry; a token works once. Minting a new token
//! for a user and purpose retires the ones not yet used, so only the
//! latest link works.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::LinkKind;
use crate::db::{Db, Query, WriteTx};
use crate::{Error, Result};

const TOKEN_BYTES: usize = 32;

/// The stored form of a token: hex SHA-256 of its text.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token inside `tx` and returns its text (wiped on drop).
pub(crate) async fn mint(
    tx: &mut WriteTx,
    user_id: i64,
    kind: LinkKind,
    now: DateTime<Utc>,
) -> Result<Zeroizing<String>> {
    let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    let token = Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()));
    tx.execute(
        Query::new("UPDATE auth_tokens SET expires_at = ")
            .bind(now)
            .sql(" WHERE user_id = ")
            .bind(user_id)
            .sql(" AND purpose = ")
            .bind(kind.purpose)
            .sql(" AND used_at IS NULL AND expires_at > ")
            .bind(now),
        "cannot retire earlier links",
    )
    .await?;
    tx.execute(
        Query::new("INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at, created_at) VALUES (")
            .bind(user_id)
            .sql(", ")
            .bind(kind.purpose)
            .sql(", ")
            .bind(hash(&token))
            .sql(", ")
            .bind(now + kind.ttl)
            .sql(", ")
            .bind(now)
            .sql(")"),
        "cannot store the link's token",
    )
    .await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

/// What the web back end does when a link is opened: accepts the token once,
/// before it expires, and returns the user it belongs to.
pub async fn redeem(db: &Db, token: &str, purpose: &str, now: DateTime<Utc>) -> Result<i64> {
    let mut tx = db.begin_write("use a link").await?;
    let lock = tx.backend().for_update();
    let found: Option<TokenRow> = tx
        .fetch_optional(
            Query::new(
                "SELECT id, user_id, expires_at, used_at FROM auth_tokens WHERE token_hash = ",
            )
            .bind(hash(token))
            .sql(" AND purpose = ")
            .bind(purpose)
            .sql(lock),
            "cannot read the token",
        )
        .await?;
    let row = found.ok_or_else(|| Error::NotFound("this link is not valid".into()))?;
    if row.used_at.is_some() {
        return Err(Error::Conflict("this link was already used".into()));
    }
    if row.expires_at <= now {
        return Err(Error::Conflict("this link has expired".into()));
    }
    tx.execute(
        Query::new("UPDATE auth_tokens SET used_at = ")
            .bind(now)
            .sql(" WHERE id = ")
            .bind(row.id),
        "cannot use the token",
    )
    .await?;
    tx.commit().await?;
    Ok(row.user_id)
}
