//! Whether a framework secret is the one the back end uses, judged by
//! something the back end itself signed with it: the rows of Django's
//! session table (`signing.dumps(..., salt="django.contrib.sessions.
//! SessionStore")` in django/contrib/sessions/backends/base.py). A wrong
//! SECRET_KEY would make links Django refuses, so it is caught before any
//! message is queued wherever a session row can tell.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::django::salted_hmac;
use crate::db::{Db, Query};
use crate::mapping::catalogue;
use crate::mapping::query::Sql;
use crate::mapping::{Link, Mapping};
use crate::secrets::Secret;
use crate::Result;

const SESSIONS: &str = "django_session";
const SESSION_SALT: &str = "django.contrib.sessions.SessionStore";
/// Rows read: any one the secret signs settles it.
const SAMPLE: u32 = 20;

/// What the back end's own signatures say of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretVerdict {
    /// It signs the back end's sessions.
    Signs,
    /// It signs none of the sessions read: not the back end's secret.
    Wrong,
    /// Nothing to judge by (no session table, no sessions, or links of a
    /// format no signature here tells).
    Unknown,
}

/// Checks `secret` against the back end's signed session rows.
pub async fn check_secret(db: &Db, mapping: &Mapping, secret: &Secret) -> Result<SecretVerdict> {
    let django = [mapping.link("password_reset"), mapping.link("verify_email")]
        .into_iter()
        .flatten()
        .any(|l| matches!(l, Link::DjangoReset { .. } | Link::AllauthConfirm { .. }));
    if !django || !catalogue::read(db).await?.has(SESSIONS, &["session_data"]) {
        return Ok(SecretVerdict::Unknown);
    }
    let s = Sql::of(db);
    let q = Query::new(format!(
        "SELECT {} FROM {} LIMIT {SAMPLE}",
        s.text(&s.q("session_data")),
        s.q(SESSIONS)
    ));
    let rows: Vec<(String,)> = crate::db::Source::Pool(db)
        .fetch_all(&q, "cannot read the back end's sessions")
        .await?;
    let signed: Vec<&str> = rows
        .iter()
        .map(|(d,)| d.as_str())
        .filter(|d| d.matches(':').count() >= 2)
        .collect();
    if signed.is_empty() {
        return Ok(SecretVerdict::Unknown);
    }
    Ok(if signed.iter().any(|d| signs(secret.expose(), d)) {
        SecretVerdict::Signs
    } else {
        SecretVerdict::Wrong
    })
}

/// Whether `data` (`value:timestamp:signature`) carries the signature
/// `secret` makes.
fn signs(secret: &str, data: &str) -> bool {
    let Some((value, signature)) = data.rsplit_once(':') else {
        return false;
    };
    let expected =
        URL_SAFE_NO_PAD.encode(salted_hmac(&format!("{SESSION_SALT}signer"), value, secret));
    expected.len() == signature.len()
        && expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::signs;

    /// A session row as Django 5.2 signs it (`signing.dumps(...,
    /// salt="django.contrib.sessions.SessionStore", compress=True)`).
    const ROW: &str = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyMVLSQRZMSkzOTs0DyVQo1QIAiowQOA:1xaR3D:\
                       qSHtpnmbQvgPryhNu3Jp7jLF2v0IPOkYSVl7hD7CmBg";

    #[test]
    fn a_session_tells_the_secret() {
        assert!(signs("vector-secret-é:x", ROW));
        assert!(!signs("vector-secret-e:x", ROW));
        assert!(!signs("vector-secret-é:x", "no signature"));
    }
}
