//! The reset tokens Devise and Laravel accept, computed as their own code
//! computes them.
//! - Devise (heartcombo/devise lib/devise/token_generator.rb, with the key
//!   from ActiveSupport::KeyGenerator, activesupport/lib/active_support/
//!   key_generator.rb): the email carries a random token; the users table
//!   keeps HMAC-SHA256 of it, keyed by PBKDF2 of secret_key_base with the
//!   salt "Devise reset_password_token" (2^16 rounds, 64 bytes, SHA-256 on
//!   Rails 7's defaults, SHA-1 before).
//! - Laravel (illuminate/auth Passwords/DatabaseTokenRepository.php): the
//!   email carries a random 64-hex-digit token; `password_reset_tokens`
//!   keeps its bcrypt hash with the email and the time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// ActiveSupport::KeyGenerator's rounds.
const ROUNDS: u32 = 1 << 16;

/// `Devise.token_generator.digest(User, :reset_password_token, raw)`.
pub(super) fn devise_digest(secret: &str, column: &str, sha1: bool, raw: &str) -> String {
    let mut key = Zeroizing::new([0u8; 64]);
    let salt = format!("Devise {column}");
    if sha1 {
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(secret.as_bytes(), salt.as_bytes(), ROUNDS, &mut *key);
    } else {
        pbkdf2::pbkdf2_hmac::<Sha256>(secret.as_bytes(), salt.as_bytes(), ROUNDS, &mut *key);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&*key).expect("HMAC takes any key length");
    mac.update(raw.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// `Devise.friendly_token`: 20 URL-safe characters from 15 random bytes.
pub(super) fn devise_raw() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 15]);
    rand::rngs::OsRng.fill_bytes(&mut *bytes);
    Zeroizing::new(
        URL_SAFE_NO_PAD
            .encode(bytes.as_slice())
            .replace('l', "s")
            .replace('I', "x")
            .replace('O', "y")
            .replace('0', "z"),
    )
}

/// A token as Laravel's repository makes one (64 hex digits), and the
/// bcrypt hash (`$2y$`, `rounds`) it stores.
pub(super) fn laravel_token(rounds: u32) -> Result<(Zeroizing<String>, String)> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut *bytes);
    let token = Zeroizing::new(hex::encode(bytes.as_slice()));
    let hash = bcrypt::hash_with_result(token.as_bytes(), rounds)
        .map_err(|e| Error::internal(format!("cannot hash the reset token: {e}")))?
        .format_for_version(bcrypt::Version::TwoY);
    Ok((token, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed following the sources above with Python's hashlib:
    /// `hmac.new(hashlib.pbkdf2_hmac(d, secret, b"Devise reset_password_token",
    /// 65536, 64), raw, "sha256").hexdigest()`.
    #[test]
    fn devise_digests_match_the_vectors() {
        let secret = "rails-secret-key-base-for-vectors";
        let raw = "Xy7-rawTokenAbcd_123";
        assert_eq!(
            devise_digest(secret, "reset_password_token", false, raw),
            "a1242c08b665a794260c066dedacd7a5e8ac0778f60e027a795ac16c6e16483b"
        );
        assert_eq!(
            devise_digest(secret, "reset_password_token", true, raw),
            "71af37365d6928f289547e65ba984b3fdc2b28c900276466583c68f261d42506"
        );
        let t = devise_raw();
        assert_eq!(t.len(), 20);
        assert!(!t.contains(['l', 'I', 'O', '0']), "{}", t.as_str());
    }

    #[test]
    fn laravel_tokens_verify_against_their_hash() {
        let (token, hash) = laravel_token(4).unwrap();
        assert_eq!(token.len(), 64);
        assert!(hash.starts_with("$2y$04$"), "{hash}");
        assert!(bcrypt::verify(token.as_bytes(), &hash).unwrap());
        assert!(!bcrypt::verify(b"another", &hash).unwrap());
    }
}
