//! Account actions on the Devise and Laravel schemas (transcribed from
//! their migration sources) and on a legacy schema through its hand-written
//! mapping, written as each framework writes them.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::session::Ctx;
use backoffice_core::users::UserAction;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::frameworks::{devise_users, laravel_users};
use common::legacy::{members, LEGACY_MAPPING};
use common::mapped::{act, last_audit, message, operators};
use common::now;

async fn devise_lock_unlock_and_reconfirmable_email(backend: Backend) {
    let t = TestDb::new(backend).await;
    devise_users(&t).await;
    t.exec(
        "INSERT INTO users (email, failed_attempts, unlock_token, locked_at, created_at, updated_at) \
         VALUES ('ana@example.com', 0, NULL, NULL, '2026-01-01 10:00:00', '2026-01-01 10:00:00'), \
         ('ben@example.com', 5, 'digest-of-token', '2026-05-01 10:00:00', '2026-01-01 10:00:00', \
         '2026-01-01 10:00:00')",
    )
    .await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let epoch = |col: &str, id: i64| match backend {
        Backend::Postgres => {
            format!("SELECT CAST(EXTRACT(EPOCH FROM {col}) AS BIGINT) FROM users WHERE id = {id}")
        }
        Backend::Mysql => {
            format!("SELECT CAST(UNIX_TIMESTAMP({col}) AS SIGNED) FROM users WHERE id = {id}")
        }
        Backend::Sqlite => {
            format!("SELECT CAST(strftime('%s', {col}) AS INTEGER) FROM users WHERE id = {id}")
        }
    };

    let until = UserAction::Lock {
        reason: "x".into(),
        until: Some(now() + chrono::Duration::hours(1)),
    };
    assert!(message(act(&ctx, &m, "1", until).await).contains("a lock end cannot be set"));
    // Devise's lock_access!: locked_at is now (in UTC), updated_at too.
    let lock = UserAction::Lock {
        reason: "chargeback fraud".into(),
        until: None,
    };
    let c = act(&ctx, &m, "1", lock).await.unwrap();
    assert_eq!(c.user.locked, Some(true));
    assert_eq!(t.scalar(&epoch("locked_at", 1)).await, now().timestamp());
    assert_eq!(t.scalar(&epoch("updated_at", 1)).await, now().timestamp());
    let (entry, _) = last_audit(&t).await;
    assert_eq!(entry, "user.lock 1");

    // unlock_access!: locked_at, failed_attempts and unlock_token cleared.
    act(&ctx, &m, "2", UserAction::Unlock).await.unwrap();
    let cleared = "SELECT COUNT(*) FROM users WHERE id = 2 AND locked_at IS NULL \
                   AND failed_attempts = 0 AND unlock_token IS NULL";
    assert_eq!(t.scalar(cleared).await, 1);

    // Reconfirmable: the new address waits in unconfirmed_email.
    let c = act(
        &ctx,
        &m,
        "1",
        UserAction::ChangeEmail {
            email: "ana@new.example".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(c.user.email, "ana@example.com");
    assert_eq!(c.user.pending_email.as_deref(), Some("ana@new.example"));
    let pending = "SELECT COUNT(*) FROM users WHERE id = 1 AND email = 'ana@example.com' \
                   AND unconfirmed_email = 'ana@new.example'";
    assert_eq!(t.scalar(pending).await, 1);

    // No active flag in Devise: disabling is not offered.
    assert!(message(act(&ctx, &m, "1", UserAction::Disable).await)
        .contains("no way to disable an account"));
}

async fn laravel_email_and_spatie_roles(backend: Backend) {
    let t = TestDb::new(backend).await;
    laravel_users(&t).await;
    t.exec(
        "INSERT INTO users (name, email, email_verified_at, password, created_at, updated_at) \
         VALUES ('Lena', 'lena@example.com', '2026-02-01 09:00:00', 'x', '2026-01-01 10:00:00', \
         '2026-01-01 10:00:00')",
    )
    .await;
    t.exec("INSERT INTO roles (name, guard_name) VALUES ('editor', 'web')")
        .await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());

    // Breeze's profile update: a changed address is unverified.
    let c = act(
        &ctx,
        &m,
        "1",
        UserAction::ChangeEmail {
            email: "lena@new.example".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(c.user.verified, Some(false));
    let unverified = "SELECT COUNT(*) FROM users WHERE email = 'lena@new.example' \
                      AND email_verified_at IS NULL";
    assert_eq!(t.scalar(unverified).await, 1);
    // The name is one column here.
    let c = act(
        &ctx,
        &m,
        "1",
        UserAction::ChangeDisplayName {
            display_name: "Lena Berg".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(c.user.name, "Lena Berg");

    // spatie: the row carries the user model's class.
    act(
        &ctx,
        &m,
        "1",
        UserAction::GrantRole {
            role: "editor".into(),
        },
    )
    .await
    .unwrap();
    let rows = t
        .texts("SELECT model_type FROM model_has_roles WHERE model_id = 1")
        .await;
    assert_eq!(rows, ["App\\Models\\User"]);
    let c = act(
        &ctx,
        &m,
        "1",
        UserAction::RevokeRole {
            role: "editor".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(c.roles.as_deref(), Some(&[][..]));
    assert_eq!(t.scalar("SELECT COUNT(*) FROM model_has_roles").await, 0);
    assert!(message(act(&ctx, &m, "1", UserAction::Unlock).await).contains("not locked"));
}

async fn legacy_codes_through_a_hand_written_mapping(backend: Backend) {
    let t = TestDb::new(backend).await;
    members(&t).await;
    let (db, admin, _) = operators(&t).await;
    let m = Mapping::parse(LEGACY_MAPPING).unwrap();
    let ctx = Ctx::at(&db, &admin, now());
    let state = |code: &str| format!("SELECT state FROM members WHERE member_code = '{code}'");

    act(&ctx, &m, "M-2", UserAction::Unlock).await.unwrap();
    assert_eq!(t.texts(&state("M-2")).await, ["A"]);
    let lock = UserAction::Lock {
        reason: "abuse".into(),
        until: None,
    };
    let c = act(&ctx, &m, "M-1", lock).await.unwrap();
    assert_eq!(c.user.state.as_deref(), Some("locked"));
    assert_eq!(t.texts(&state("M-1")).await, ["L"]);
    act(&ctx, &m, "M-3", UserAction::Enable).await.unwrap();
    assert_eq!(t.texts(&state("M-3")).await, ["A"]);
    let gone = act(&ctx, &m, "M-9", UserAction::Enable).await;
    assert_eq!(gone.unwrap_err().code(), ErrorCode::NotFound);
}

each_backend! {
    devise => devise_lock_unlock_and_reconfirmable_email,
    laravel => laravel_email_and_spatie_roles,
    legacy => legacy_codes_through_a_hand_written_mapping,
}
