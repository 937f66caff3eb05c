//! The tokens Django and django-allauth accept, computed as their own code
//! computes them (Django 5.2: django/contrib/auth/tokens.py,
//! django/utils/crypto.py `salted_hmac`, django/core/signing.py;
//! django-allauth 65: allauth/account/models.py `EmailConfirmationHMAC`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `PasswordResetTokenGenerator.key_salt`.
const RESET_SALT: &str = "django.contrib.auth.tokens.PasswordResetTokenGenerator";
/// allauth's ACCOUNT_SALT default.
const ALLAUTH_SALT: &str = "account";

/// Django's `salted_hmac(key_salt, value, secret, algorithm="sha256")`:
/// HMAC-SHA256 keyed by SHA-256 of the salt followed by the secret.
pub(super) fn salted_hmac(salt: &str, value: &str, secret: &str) -> [u8; 32] {
    let key = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(secret.as_bytes())
        .finalize();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Seconds since 2001-01-01 in the project's wall-clock time, as
/// `PasswordResetTokenGenerator._num_seconds(_now())` counts them.
pub(super) fn reset_seconds(wall_clock: NaiveDateTime) -> i64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(2001, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date");
    (wall_clock - epoch).num_seconds()
}

/// The user as the token generator reads them.
pub(super) struct ResetUser<'a> {
    pub pk: &'a str,
    pub password: &'a str,
    /// `last_login` as stored (UTC with USE_TZ), if the user ever signed in.
    pub last_login: Option<NaiveDateTime>,
    pub email: &'a str,
}

/// `default_token_generator.make_token(user)` at `timestamp`
/// ([`reset_seconds`]): the timestamp in base 36, a dash, and every other
/// hex digit of the HMAC over key, password hash, last login (to the
/// second), timestamp and email.
pub(super) fn reset_token(secret: &str, user: &ResetUser<'_>, timestamp: i64) -> String {
    let login = user
        .last_login
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    let value = format!(
        "{}{}{login}{timestamp}{}",
        user.pk, user.password, user.email
    );
    let digest = hex::encode(salted_hmac(RESET_SALT, &value, secret));
    let every_other: String = digest.chars().step_by(2).collect();
    format!("{}-{every_other}", base36(timestamp))
}

/// `urlsafe_base64_encode(force_bytes(user.pk))`.
pub(super) fn uidb64(pk: &str) -> String {
    URL_SAFE_NO_PAD.encode(pk.as_bytes())
}

/// `EmailConfirmationHMAC(address).key` at Unix time `now`:
/// `signing.dumps(address.pk, salt="account")`, the JSON of the key in
/// URL-safe base64, the time in base 62, and their signature.
pub(super) fn allauth_key(secret: &str, address_pk: i64, now: i64) -> String {
    let value = format!(
        "{}:{}",
        URL_SAFE_NO_PAD.encode(address_pk.to_string()),
        base62(now)
    );
    let signature = URL_SAFE_NO_PAD.encode(salted_hmac(
        &format!("{ALLAUTH_SALT}signer"),
        &value,
        secret,
    ));
    format!("{value}:{signature}")
}

fn base_n(mut n: i64, alphabet: &[u8]) -> String {
    if n == 0 {
        return "0".into();
    }
    let sign = if n < 0 { "-" } else { "" };
    n = n.abs();
    let radix = alphabet.len() as i64;
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(alphabet[(n % radix) as usize]);
        n /= radix;
    }
    digits.reverse();
    format!("{sign}{}", String::from_utf8_lossy(&digits))
}

fn base36(n: i64) -> String {
    base_n(n, b"0123456789abcdefghijklmnopqrstuvwxyz")
}

fn base62(n: i64) -> String {
    base_n(
        n,
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    )
}

#[cfg(test)]
#[path = "django_tests.rs"]
mod tests;
