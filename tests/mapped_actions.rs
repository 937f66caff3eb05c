//! Account actions on back ends the console did not design, written as
//! each framework writes them and checked behind the console's back: the
//! Django + axes + allauth fixture (made by their own migrations), Devise
//! and Laravel schemas (transcribed), and a legacy schema with its own
//! mapping. Conflicts are found by fingerprint, since none of these tables
//! has a version column.

mod common;

use backoffice_core::db::{Backend, Db};
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::operators::Operator;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::{apply, card, MappedCard};
use backoffice_core::users::UserAction;
use backoffice_core::{Error, ErrorCode, Result};
use backoffice_testkit::{each_backend, TestDb};
use common::frameworks::{devise_users, laravel_users};
use common::legacy::{members, LEGACY_MAPPING};
use common::now;

async fn operators(t: &TestDb) -> (Db, Operator, Operator) {
    let db = Db::connect(&t.target(), Default::default()).await.unwrap();
    db.attach().await.expect("attach");
    let (admin, support) = common::operators(&db).await;
    (db, admin, support)
}

/// Applies `action` to `key` at the version its card shows now.
async fn act(ctx: &Ctx<'_>, m: &Mapping, key: &str, action: UserAction) -> Result<MappedCard> {
    let seen = card(ctx, m, key).await?.version;
    apply(ctx, m, key, &seen, action, Some("ticket 7")).await
}

/// A Django user's key, by username.
async fn key(t: &TestDb, username: &str) -> String {
    let text = if t.backend == Backend::Mysql {
        "CHAR"
    } else {
        "TEXT"
    };
    t.texts(&format!(
        "SELECT CAST(id AS {text}) FROM auth_user WHERE username = '{username}'"
    ))
    .await
    .remove(0)
}

fn message(r: Result<MappedCard>) -> String {
    r.expect_err("refused").to_string()
}

/// The latest audit entry: "action entity", and what it says was written.
async fn last_audit(t: &TestDb) -> (String, String) {
    let latest = |column: &str| {
        format!("SELECT {column} FROM backoffice_audit_log ORDER BY id DESC LIMIT 1")
    };
    let action = t.texts(&latest("action")).await;
    let entity = t.texts(&latest("entity_id")).await;
    let after = t.texts(&latest("after_json")).await;
    (format!("{} {}", action[0], entity[0]), after[0].clone())
}

async fn django_actions_are_written_as_django_axes_and_allauth_write_them(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let (ada, bob, carol) = (
        key(&t, "ada").await,
        key(&t, "bob").await,
        key(&t, "carol").await,
    );

    // Unlock as axes' own reset does: the user's attempts deleted, matched
    // without regard to case ("bob@example.com" for Bob@Example.com).
    let before = card(&ctx, &m, &bob).await.unwrap();
    assert_eq!(before.user.locked, Some(true));
    let lock = before.actions.iter().find(|a| a.action == "lock").unwrap();
    assert!(!lock.available);
    assert!(lock.reason.as_deref().unwrap().contains("django-axes"));
    let stale = apply(&ctx, &m, &bob, "0123456789ab", UserAction::Unlock, None).await;
    let err = stale.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("was changed by someone else")
            && err
                .to_string()
                .contains("locked, unverified, 3 failed sign-ins"),
        "{err}"
    );
    let after = apply(&ctx, &m, &bob, &before.version, UserAction::Unlock, None)
        .await
        .unwrap();
    assert_eq!(after.user.locked, Some(false));
    assert_eq!(after.user.failed_attempts, Some(0));
    assert_ne!(after.version, before.version);
    let attempts = "SELECT COUNT(*) FROM axes_accessattempt";
    assert_eq!(t.scalar(attempts).await, 1, "carol's attempt stays");
    let (entry, written) = last_audit(&t).await;
    assert_eq!(entry, format!("user.unlock {bob}"));
    assert!(
        written.contains("axes_accessattempt: 1 rows deleted"),
        "{written}"
    );
    // The same version again: Bob has moved on.
    let again = apply(&ctx, &m, &bob, &before.version, UserAction::Unlock, None).await;
    assert!(matches!(again, Err(Error::Stale { .. })));

    // The back end itself changes the row after the operator looked: axes
    // records another failure for Carol. The reset is refused with the
    // values as they are now.
    let seen = card(&ctx, &m, &carol).await.unwrap().version;
    t.exec("UPDATE axes_accessattempt SET failures_since_start = 2 WHERE username = 'carol'")
        .await;
    let err = apply(
        &ctx,
        &m,
        &carol,
        &seen,
        UserAction::ResetFailedSignIns,
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("2 failed sign-ins"), "{err}");
    assert_eq!(t.scalar(attempts).await, 1, "nothing was written");
    act(&ctx, &m, &carol, UserAction::ResetFailedSignIns)
        .await
        .unwrap();
    assert_eq!(t.scalar(attempts).await, 0);

    // is_active, with a reason required, and support may not.
    let active = format!("SELECT COUNT(*) FROM auth_user WHERE id = {ada} AND is_active");
    let no_reason = apply(
        &ctx,
        &m,
        &ada,
        &card(&ctx, &m, &ada).await.unwrap().version,
        UserAction::Disable,
        None,
    )
    .await;
    assert!(message(no_reason).contains("say why"));
    let as_support = Ctx::at(&db, &support, now());
    let denied = act(&as_support, &m, &ada, UserAction::Disable).await;
    assert_eq!(denied.unwrap_err().code(), ErrorCode::Forbidden);
    let off = act(&ctx, &m, &ada, UserAction::Disable).await.unwrap();
    assert_eq!(off.user.state.as_deref(), Some("disabled"));
    assert_eq!(t.scalar(&active).await, 0);
    assert!(message(act(&ctx, &m, &ada, UserAction::Disable).await).contains("already disabled"));
    act(&ctx, &m, &ada, UserAction::Enable).await.unwrap();
    assert_eq!(t.scalar(&active).await, 1);

    // Groups through auth_user_groups.
    let grant = |role: &str| UserAction::GrantRole { role: role.into() };
    let c = act(&ctx, &m, &bob, grant("finance")).await.unwrap();
    assert_eq!(c.roles.as_deref(), Some(&["finance".to_string()][..]));
    let unknown = message(act(&ctx, &m, &bob, grant("nope")).await);
    assert_eq!(unknown, "no role named 'nope'; roles are: finance, support");
    let revoke = UserAction::RevokeRole {
        role: "support".into(),
    };
    let c = act(&ctx, &m, &ada, revoke).await.unwrap();
    assert_eq!(c.roles.as_deref(), Some(&[][..]));
    let groups = format!("SELECT COUNT(*) FROM auth_user_groups WHERE user_id = {ada}");
    assert_eq!(t.scalar(&groups).await, 0);

    // A new address the allauth way: the old one stays, no longer primary;
    // the new one is primary and unverified; auth_user.email follows.
    let email = |e: &str| UserAction::ChangeEmail { email: e.into() };
    let c = act(&ctx, &m, &carol, email("Carol.New@Example.com"))
        .await
        .unwrap();
    assert_eq!(c.user.email, "Carol.New@Example.com");
    assert_eq!(c.user.verified, Some(false));
    let primary = if backend == Backend::Mysql {
        "`primary`"
    } else {
        "\"primary\""
    };
    let addresses = |cond: &str| {
        format!(
            "SELECT email FROM account_emailaddress WHERE user_id = {carol} AND {cond} ORDER BY id"
        )
    };
    assert_eq!(t.texts(&addresses("verified")).await, ["carol@example.com"]);
    assert_eq!(
        t.texts(&addresses(primary)).await,
        ["carol.new@example.com"]
    );
    assert_eq!(t.texts(&addresses("1 = 1")).await.len(), 2);
    let taken = act(&ctx, &m, &carol, email("ADA@example.com")).await;
    assert_eq!(taken.unwrap_err().code(), ErrorCode::Conflict);
    // Back to the verified address: its row is made primary again.
    let c = act(&ctx, &m, &carol, email("carol@example.com"))
        .await
        .unwrap();
    assert_eq!(c.user.verified, Some(true));

    // Django keeps the name in two columns: not offered, refused if asked.
    let c = card(&ctx, &m, &ada).await.unwrap();
    let name = c
        .actions
        .iter()
        .find(|a| a.action == "change_display_name")
        .unwrap();
    assert!(!name.available);
    let rename = UserAction::ChangeDisplayName {
        display_name: "Ada King".into(),
    };
    assert!(message(act(&ctx, &m, &ada, rename).await).contains("first_name, last_name"));
}

/// Two operators act on what they both saw: one change lands, the other is
/// refused, and the audit log has one entry.
async fn two_operators_at_once_on_django(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    let dave = key(&t, "dave").await;
    let seen = card(&ctx, &m, &dave).await.unwrap().version;
    let audits = "SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'user.enable'";
    let (a, b) = tokio::join!(
        apply(&ctx, &m, &dave, &seen, UserAction::Enable, None),
        apply(&ctx, &m, &dave, &seen, UserAction::Enable, None)
    );
    assert_eq!(
        a.is_ok() as u8 + b.is_ok() as u8,
        1,
        "exactly one lands: {a:?} {b:?}"
    );
    let refused = if a.is_ok() { b } else { a };
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Conflict);
    assert_eq!(t.scalar(audits).await, 1);
}

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
    django => django_actions_are_written_as_django_axes_and_allauth_write_them,
    django_race => two_operators_at_once_on_django,
    devise => devise_lock_unlock_and_reconfirmable_email,
    laravel => laravel_email_and_spatie_roles,
    legacy => legacy_codes_through_a_hand_written_mapping,
}
