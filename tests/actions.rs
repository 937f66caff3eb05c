//! Account actions, lost-update protection and the audit chain on every
//! backend.

mod common;

use backoffice_core::audit::{self, verify, AuditFilter};
use backoffice_core::db::Backend;
use backoffice_core::error::ErrorBody;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::users::{apply, show, UserAction};
use backoffice_core::{Error, ErrorCode};
use backoffice_testkit::each_backend;
use chrono::Duration;
use common::{console, now, seven_users, Console};
use serde_json::json;

async fn audit_count(c: &Console) -> i64 {
    c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log")
        .await
}

async fn each_action_changes_one_version_and_is_audited(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let until = now() + Duration::hours(2);
    let steps: Vec<(UserAction, &str)> = vec![
        (
            UserAction::Lock {
                reason: "chargeback".into(),
                until: Some(until),
            },
            "locked",
        ),
        (UserAction::Unlock, "active"),
        (UserAction::Disable, "disabled"),
        (UserAction::Enable, "active"),
        (
            UserAction::ChangeEmail {
                email: "Bobby@Example.net".into(),
            },
            "active",
        ),
        (
            UserAction::ChangeDisplayName {
                display_name: "<script>alert(1)</script>".into(),
            },
            "active",
        ),
        (UserAction::GrantRole { role: "vip".into() }, "active"),
        (UserAction::RevokeRole { role: "vip".into() }, "active"),
    ];
    let before = audit_count(&c).await;
    for (i, (action, status)) in steps.into_iter().enumerate() {
        let version = i as i64 + 1;
        let name = action.audit_name();
        let user = apply(&ctx, 2, version, action, Some("ticket 123"))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(user.version, version + 1, "{name}");
        assert_eq!(user.status, status, "{name}");
    }
    assert_eq!(audit_count(&c).await, before + 8);
    let card = show(&ctx, "2").await.unwrap();
    assert_eq!(card.user.email, "Bobby@Example.net");
    assert!(card.user.email_verified_at.is_none());
    assert_eq!(card.user.display_name, "<script>alert(1)</script>");
    assert!(card.user.roles.is_empty());
    // The entries hold the changed fields only.
    let entries = &card.audit;
    let lock = entries.iter().find(|e| e.action == "user.lock").unwrap();
    assert_eq!(
        lock.before,
        Some(json!({"status": "active", "lock_reason": null, "locked_until": null}))
    );
    assert_eq!(lock.after.as_ref().unwrap()["status"], "locked");
    assert_eq!(lock.reason.as_deref(), Some("ticket 123"));
    let email = entries
        .iter()
        .find(|e| e.action == "user.change_email")
        .unwrap();
    let queued = c
        .t
        .scalar("SELECT MAX(id) FROM backoffice_outbox WHERE template = 'verify_email' AND recipient = 'Bobby@Example.net'")
        .await;
    assert_eq!(
        email.after,
        Some(
            json!({"email": "Bobby@Example.net", "email_verified_at": null, "verification_message": queued})
        )
    );
    let grant = entries
        .iter()
        .find(|e| e.action == "user.grant_role")
        .unwrap();
    assert_eq!(grant.after, Some(json!({"roles": ["vip"]})));
    // The failed sign-in counter: reset, then nothing left to reset.
    let u4 = apply(&ctx, 4, 1, UserAction::ResetFailedSignIns, None)
        .await
        .unwrap();
    assert_eq!(u4.failed_login_count, 0);
    let err = apply(&ctx, 4, 2, UserAction::ResetFailedSignIns, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}

async fn bad_input_writes_nothing(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let before = audit_count(&c).await;
    let cases: Vec<(UserAction, ErrorCode)> = vec![
        (
            UserAction::ChangeEmail {
                email: "not an address".into(),
            },
            ErrorCode::Validation,
        ),
        (
            UserAction::ChangeEmail {
                email: "a@b@c".into(),
            },
            ErrorCode::Validation,
        ),
        // User 1's address in other case: unique after normalisation.
        (
            UserAction::ChangeEmail {
                email: "ANN.LEE@example.com".into(),
            },
            ErrorCode::Conflict,
        ),
        (
            UserAction::ChangeDisplayName {
                display_name: "x".repeat(201),
            },
            ErrorCode::Validation,
        ),
        (
            UserAction::Lock {
                reason: "  ".into(),
                until: None,
            },
            ErrorCode::Validation,
        ),
        (
            UserAction::Lock {
                reason: "late".into(),
                until: Some(now() - Duration::hours(1)),
            },
            ErrorCode::Validation,
        ),
        (UserAction::Unlock, ErrorCode::Validation),
        (UserAction::Enable, ErrorCode::Validation),
        (
            UserAction::GrantRole {
                role: "wizard".into(),
            },
            ErrorCode::NotFound,
        ),
        (
            UserAction::RevokeRole { role: "vip".into() },
            ErrorCode::Validation,
        ),
    ];
    for (action, code) in cases {
        let err = apply(&ctx, 2, 1, action.clone(), None).await.unwrap_err();
        assert_eq!(err.code(), code, "{action:?}: {err}");
    }
    let err = apply(&ctx, 999, 1, UserAction::Disable, Some("gone"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(audit_count(&c).await, before);
    assert_eq!(
        c.t.scalar("SELECT version FROM users WHERE id = 2").await,
        1
    );
    assert_eq!(c.t.scalar("SELECT COUNT(*) FROM user_roles").await, 1);
}

async fn a_stale_version_is_refused_with_current_values(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    apply(&admin, 6, 1, UserAction::Disable, Some("fraud"))
        .await
        .unwrap();
    let err = apply(
        &admin,
        6,
        1,
        UserAction::ChangeDisplayName {
            display_name: "Dora".into(),
        },
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(matches!(err, Error::Stale { .. }));
    let body = ErrorBody::from(&err);
    let current = body.current.expect("current values");
    assert_eq!(current["version"], 2);
    assert_eq!(current["status"], "disabled");
    assert_eq!(current["display_name"], "Dora ann");
}

async fn two_operators_same_version_exactly_one_wins(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    for round in 0..3 {
        let id = [6, 3, 2][round];
        let version =
            c.t.scalar(&format!("SELECT version FROM users WHERE id = {id}"))
                .await;
        let admin = Ctx::at(&c.db, &c.admin, now());
        let support = Ctx::at(&c.db, &c.support, now());
        let lock = |who: &str| UserAction::Lock {
            reason: format!("{who} locks"),
            until: None,
        };
        let (a, b) = tokio::join!(
            apply(&admin, id, version, lock("alice"), None),
            apply(&support, id, version, lock("sam"), None),
        );
        let wins = [a.is_ok(), b.is_ok()].iter().filter(|w| **w).count();
        assert_eq!(wins, 1, "round {round}: {a:?} / {b:?}");
        let loser = a.err().or(b.err()).unwrap();
        assert_eq!(loser.code(), ErrorCode::Conflict, "{loser}");
        assert_eq!(
            c.t.scalar(&format!("SELECT version FROM users WHERE id = {id}"))
                .await,
            version + 1
        );
    }
    let report = verify(
        &Ctx::at(&c.db, &c.admin, now()),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert!(report.ok(), "{report:?}");
}

async fn audit_chain_names_the_first_bad_entry(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    for id in [1, 2, 3] {
        apply(&ctx, id, 1, UserAction::Disable, Some("cleanup"))
            .await
            .unwrap();
    }
    // 2 operator additions + 3 actions.
    let report = verify(&ctx, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!((report.checked, report.ok()), (5, true), "{report:?}");
    // Filters and pages.
    let page = audit::list(
        &ctx,
        &AuditFilter {
            action: Some("user.disable".into()),
            ..AuditFilter::default()
        },
        &PageRequest::first(2),
    )
    .await
    .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|e| e.entity_id.as_str()).collect();
    assert_eq!(ids, ["3", "2"]);
    let rest = audit::list(
        &ctx,
        &AuditFilter {
            action: Some("user.disable".into()),
            ..AuditFilter::default()
        },
        &PageRequest {
            after: page.next.clone(),
            limit: Some(2),
        },
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
    // Oldest first, in pages of its own order.
    let oldest = AuditFilter {
        action: Some("user.disable".into()),
        oldest_first: true,
        ..AuditFilter::default()
    };
    let first = audit::list(&ctx, &oldest, &PageRequest::first(2))
        .await
        .unwrap();
    let ids: Vec<&str> = first.items.iter().map(|e| e.entity_id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    let after = PageRequest {
        after: first.next.clone(),
        limit: Some(2),
    };
    let last = audit::list(&ctx, &oldest, &after).await.unwrap();
    assert_eq!(last.items[0].entity_id, "3");
    let by_sam = audit::list(
        &ctx,
        &AuditFilter {
            operator: Some("sam".into()),
            ..AuditFilter::default()
        },
        &PageRequest::default(),
    )
    .await
    .unwrap();
    assert!(by_sam.items.is_empty());

    // Edit one row behind the console's back.
    c.t.exec("UPDATE backoffice_audit_log SET reason = 'nothing to see' WHERE id = 4")
        .await;
    let report = verify(&ctx, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    let bad = report.first_bad.expect("tampering found");
    assert_eq!(bad.id, 4);
    assert!(bad.problem.contains("changed"), "{}", bad.problem);
    c.t.exec("UPDATE backoffice_audit_log SET reason = 'cleanup' WHERE id = 4")
        .await;
    assert!(verify(&ctx, &NoProgress, &CancelToken::new())
        .await
        .unwrap()
        .ok());

    // Delete one in the middle, then the last.
    c.t.exec("DELETE FROM backoffice_audit_log WHERE id = 3")
        .await;
    let bad = verify(&ctx, &NoProgress, &CancelToken::new())
        .await
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.id, 4);
    assert!(bad.problem.contains("missing"), "{}", bad.problem);
}

async fn deleting_the_newest_entries_is_found(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let ctx = Ctx::at(&c.db, &c.admin, now());
    apply(&ctx, 1, 1, UserAction::Disable, Some("fraud"))
        .await
        .unwrap();
    c.t.exec("DELETE FROM backoffice_audit_log WHERE id = 3")
        .await;
    let bad = verify(&ctx, &NoProgress, &CancelToken::new())
        .await
        .unwrap()
        .first_bad
        .unwrap();
    assert_eq!(bad.id, 3);
    assert!(
        bad.problem.contains("deleted from the end"),
        "{}",
        bad.problem
    );
}

each_backend! {
    actions => each_action_changes_one_version_and_is_audited,
    bad_input => bad_input_writes_nothing,
    stale_version => a_stale_version_is_refused_with_current_values,
    concurrent_edit => two_operators_same_version_exactly_one_wins,
    audit_chain => audit_chain_names_the_first_bad_entry,
    audit_tail => deleting_the_newest_entries_is_found,
}
