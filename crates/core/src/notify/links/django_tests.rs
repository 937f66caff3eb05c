//! Vectors computed by Django 5.2 itself (`PasswordResetTokenGenerator.
//! _make_token_with_timestamp`, `urlsafe_base64_encode`, `signing.dumps`
//! with time.time() fixed) for the secret `vector-secret-é:x`.

use chrono::{NaiveDate, NaiveDateTime};

use super::*;

const SECRET: &str = "vector-secret-é:x";

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_micro_opt(h, mi, s, micro))
        .unwrap()
}

#[test]
fn reset_tokens_match_django() {
    let signed_in = ResetUser {
        pk: "42",
        password: "md5$abc$def",
        // Django drops the microseconds.
        last_login: Some(at(2026, 12, 7, 5, 10, 41, 987_654)),
        email: "Ann.Lee@example.com",
    };
    assert_eq!(
        reset_token(SECRET, &signed_in, 818_000_000),
        "dj0ku8-226389e592f481f61bd497605130e8c3"
    );
    let never = ResetUser {
        pk: "7",
        password: "pbkdf2_sha256$1000000$salt$hash=",
        last_login: None,
        email: "",
    };
    assert_eq!(
        reset_token(SECRET, &never, 818_000_000),
        "dj0ku8-219ade0051e6c7ee8df75d544b3ed27b"
    );
    assert_eq!(uidb64("42"), "NDI");
    assert_eq!(uidb64("7"), "Nw");
    assert_eq!(reset_seconds(at(2026, 12, 7, 5, 10, 41, 0)), 818_313_041);
}

#[test]
fn a_changed_password_or_sign_in_changes_the_token() {
    let user = |password, last_login| ResetUser {
        pk: "42",
        password,
        last_login,
        email: "a@example.com",
    };
    let first = reset_token(SECRET, &user("h1", None), 818_000_000);
    assert_ne!(first, reset_token(SECRET, &user("h2", None), 818_000_000));
    let later = Some(at(2026, 1, 1, 0, 0, 0, 0));
    assert_ne!(first, reset_token(SECRET, &user("h1", later), 818_000_000));
    assert_ne!(
        first,
        reset_token("another", &user("h1", None), 818_000_000)
    );
}

#[test]
fn allauth_keys_match_django_signing() {
    assert_eq!(
        allauth_key(SECRET, 5, 1_796_621_441),
        "NQ:1xaRJB:LSd2OMQyGfamUzcRyTgjP0dGJNoCq91z0-kTZBlN0O4"
    );
    assert_eq!(
        allauth_key(SECRET, 123_456, 1_796_621_441),
        "MTIzNDU2:1xaRJB:tRuLC2VjJBjx4FTFEIaW1lj9Qq3pQxI9QOGGWlbVh4E"
    );
}

#[test]
fn bases() {
    assert_eq!(base36(0), "0");
    assert_eq!(base36(35), "z");
    assert_eq!(base62(61), "z");
    assert_eq!(base62(62), "10");
}
