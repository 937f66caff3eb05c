//! Operators on every backend: sign-in, lockout, the first operator, and
//! what the support role is refused.

mod common;

use backoffice_core::audit::{self, AuditFilter};
use backoffice_core::db::{Backend, OpenOptions};
use backoffice_core::operators::{
    add_operator, list_operators, sign_in, NewOperator, Role, LOCKOUT, MAX_FAILURES,
};
use backoffice_core::page::PageRequest;
use backoffice_core::secrets::Secret;
use backoffice_core::session::Ctx;
use backoffice_core::users::{apply, UserAction};
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;
use chrono::Duration;
use common::{console, now, seven_users, PASSWORD};

async fn sign_in_locks_after_repeated_failures(backend: Backend) {
    let c = console(backend).await;
    let wrong = Secret::new("not the password");
    for i in 1..MAX_FAILURES {
        let err = sign_in(&c.db, "alice", &wrong, now()).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden);
        assert_eq!(
            err.to_string(),
            "wrong operator name or password",
            "attempt {i}"
        );
    }
    let err = sign_in(&c.db, "alice", &wrong, now()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("locked until 2026-06-01 12:15 UTC"),
        "{err}"
    );
    // Locked: even the right password is refused, and says why.
    let right = Secret::new(PASSWORD);
    let err = sign_in(&c.db, "alice", &right, now() + Duration::minutes(14))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is locked until"), "{err}");
    // Once the lock ends the right password works again.
    let op = sign_in(
        &c.db,
        "alice",
        &right,
        now() + LOCKOUT + Duration::seconds(1),
    )
    .await
    .expect("lock over");
    assert_eq!(op.role(), Role::Admin);
    // An unknown name gets the same answer as a wrong password.
    let err = sign_in(&c.db, "mallory", &right, now()).await.unwrap_err();
    assert_eq!(err.to_string(), "wrong operator name or password");
    // Every attempt was recorded: 2 sign-ins from the fixture, 5 wrong,
    // 1 while locked, 1 good, 1 unknown.
    let attempts =
        c.t.scalar("SELECT COUNT(*) FROM backoffice_sign_in_attempts")
            .await;
    assert_eq!(attempts, 10);
    let unknown =
        c.t.scalar("SELECT COUNT(*) FROM backoffice_sign_in_attempts WHERE operator_id IS NULL")
            .await;
    assert_eq!(unknown, 1);
}

async fn failures_spread_out_do_not_lock(backend: Backend) {
    let c = console(backend).await;
    let wrong = Secret::new("not the password");
    for i in 0..MAX_FAILURES as i64 {
        // Four minutes apart: never five within fifteen minutes.
        let at = now() + Duration::minutes(4 * i);
        let err = sign_in(&c.db, "sam", &wrong, at).await.unwrap_err();
        assert_eq!(err.to_string(), "wrong operator name or password");
    }
    sign_in(
        &c.db,
        "sam",
        &Secret::new(PASSWORD),
        now() + Duration::minutes(17),
    )
    .await
    .expect("not locked");
}

async fn only_an_admin_adds_operators(backend: Backend) {
    let c = console(backend).await;
    let new = |name: &str| NewOperator {
        username: name.into(),
        role: Role::Support,
        password: Secret::new(PASSWORD),
    };
    // Not the first operator any more: no sign-in, no operator.
    let err = add_operator(&c.db, None, new("eve"), now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    let err = add_operator(&c.db, Some(&c.support), new("eve"), now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    let err = add_operator(&c.db, Some(&c.admin), new("sam"), now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    let short = NewOperator {
        password: Secret::new("short"),
        ..new("eve")
    };
    let err = add_operator(&c.db, Some(&c.admin), short, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let names: Vec<String> = list_operators(&Ctx::at(&c.db, &c.admin, now()))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.username)
        .collect();
    assert_eq!(names, ["alice", "sam"]);
}

async fn support_is_refused_admin_work(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.support, now());
    let refused = [
        UserAction::ChangeEmail {
            email: "new@example.com".into(),
        },
        UserAction::ChangeDisplayName {
            display_name: "New".into(),
        },
        UserAction::Disable,
        UserAction::GrantRole { role: "vip".into() },
    ];
    for action in refused {
        let err = apply(&ctx, 2, 1, action.clone(), None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{action:?}: {err}");
    }
    assert_eq!(
        audit::list(&ctx, &AuditFilter::default(), &PageRequest::default())
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        list_operators(&ctx).await.unwrap_err().code(),
        ErrorCode::Forbidden
    );
    // Nothing was touched.
    assert_eq!(
        c.t.scalar("SELECT version FROM users WHERE id = 2").await,
        1
    );
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log")
            .await,
        2
    );
    // What support may do, it does.
    let locked = apply(
        &ctx,
        2,
        1,
        UserAction::Lock {
            reason: "called in".into(),
            until: None,
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(locked.status, "locked");
}

async fn read_only_connections_refuse_account_actions(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ro =
        c.t.open_with(OpenOptions {
            read_only: true,
            create_if_missing: false,
        })
        .await
        .unwrap();
    let admin = sign_in(&ro, "alice", &Secret::new(PASSWORD), now())
        .await
        .expect("sign-in works read-only");
    let err = apply(
        &Ctx::at(&ro, &admin, now()),
        2,
        1,
        UserAction::Disable,
        Some("fraud"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    assert_eq!(
        c.t.scalar("SELECT version FROM users WHERE id = 2").await,
        1
    );
}

each_backend! {
    sign_in_lockout => sign_in_locks_after_repeated_failures,
    spread_failures => failures_spread_out_do_not_lock,
    adding_operators => only_an_admin_adds_operators,
    support_denials => support_is_refused_admin_work,
    read_only_actions => read_only_connections_refuse_account_actions,
}
