//! Asking the back end to send its own email through a webhook it exposes
//! (`[sends.*] by = "webhook"`). The request is a JSON post, signed so the
//! back end can tell it came from the console and is fresh:
//!
//! - body: `{"kind": "password_reset", "email": "…", "user": "12",
//!   "message": "<uid>"}` (`user` is the back end's key, or null);
//! - `X-Backoffice-Timestamp`: seconds since the epoch;
//! - `X-Backoffice-Signature`: `sha256=` and the hex HMAC-SHA256, under the
//!   profile's webhook secret, of the timestamp, a `.`, and the body;
//! - `Idempotency-Key`: the message's uid, the same on every attempt, so a
//!   back end that keeps the keys it has seen sends one email however many
//!   times it is asked.
//!
//! Any 2xx answer means the back end took it; 401 and 403 mean it refused
//! the signature. docs/MAPPING.md §5 has the contract and a Django view.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;

use super::claim::{Claimed, Outcome};
use super::form::{address, Post, Success};
use super::http::Response;
use crate::secrets::Secret;

/// The signature of `body` sent at `timestamp`, as the header carries it.
pub(crate) fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The signed request for `msg`.
pub(crate) fn prepare(
    base: &str,
    path: &str,
    secret: &Secret,
    msg: &Claimed,
    now: DateTime<Utc>,
) -> Result<Post, Outcome> {
    let url = address(base, path)?;
    let body = serde_json::json!({
        "kind": msg.template.id(),
        "email": msg.recipient,
        "user": msg.user_key,
        "message": msg.uid,
    })
    .to_string()
    .into_bytes();
    let timestamp = now.timestamp();
    let headers = vec![
        ("Accept", "application/json".to_string()),
        ("Content-Type", "application/json".into()),
        ("Idempotency-Key", msg.uid.clone()),
        ("X-Backoffice-Timestamp", timestamp.to_string()),
        (
            "X-Backoffice-Signature",
            signature(secret.expose(), timestamp, &body),
        ),
    ];
    Ok(Post {
        url,
        headers,
        body,
        success: Success::Accepted,
    })
}

/// The webhook's own refusals: the signature it would not take.
pub(super) fn refusal(answer: &Response, url: &Url) -> Option<Outcome> {
    matches!(answer.status, 401 | 403).then(|| Outcome::Permanent {
        code: Some(answer.status),
        detail: format!(
            "the webhook at {url} refused the console's signature ({}): the webhook secret \
             stored for this profile is not the one the back end checks with (`backoffice \
             profile webhook-secret`); nothing was sent",
            answer.status
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::signature;

    /// Computed independently: `printf '1700000000.{}' | openssl dgst
    /// -sha256 -hmac s3cret`.
    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        assert_eq!(
            signature("s3cret", 1_700_000_000, b"{}"),
            "sha256=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
        );
    }
}
