//! The sign-in trouble card on every backend: the diagnosis, what it shows
//! and what it never shows.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::session::Ctx;
use backoffice_core::users::{apply, show, UserAction};
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, Fx};
use chrono::Duration;
use common::{console, days, now, seven_users, t0};

async fn trouble_card_explains_sign_in_problems(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let t = &c.t;
    for (i, reason) in ["wrong password", "wrong password", "account locked"]
        .iter()
        .enumerate()
    {
        t.insert(
            "login_events",
            &[
                "user_id",
                "email_attempted",
                "succeeded",
                "reason",
                "ip",
                "at",
            ],
            &[
                4i64.into(),
                r"100%_off\deal@shop.test".into(),
                false.into(),
                (*reason).into(),
                "203.0.113.9".into(),
                (now() - Duration::minutes(30 - i as i64)).into(),
            ],
        )
        .await;
    }
    t.insert(
        "auth_tokens",
        &[
            "user_id",
            "purpose",
            "token_hash",
            "expires_at",
            "used_at",
            "created_at",
        ],
        &[
            3i64.into(),
            "verify_email".into(),
            "hash-never-shown".into(),
            (now() + days(5)).into(),
            Fx::NoTime,
            (now() - days(2)).into(),
        ],
    )
    .await;
    for (id, status, total, paid) in [
        (10i64, "delivered", 2500i64, true),
        (11, "paid", 1000, true),
        (12, "cancelled", 700, false),
    ] {
        t.insert(
            "orders",
            &[
                "id",
                "user_id",
                "status",
                "currency",
                "total_cents",
                "placed_at",
                "paid_at",
            ],
            &[
                id.into(),
                1i64.into(),
                status.into(),
                "EUR".into(),
                total.into(),
                (t0() + days(id)).into(),
                if paid {
                    (t0() + days(id)).into()
                } else {
                    Fx::NoTime
                },
            ],
        )
        .await;
    }
    for amount in [300i64, 200] {
        t.insert(
            "refunds",
            &["order_id", "amount_cents", "reason", "operator", "at"],
            &[
                10i64.into(),
                amount.into(),
                "damaged".into(),
                "alice".into(),
                (t0() + days(20)).into(),
            ],
        )
        .await;
    }
    let admin = Ctx::at(&c.db, &c.admin, now());

    let locked = show(&admin, "4").await.unwrap();
    assert_eq!(
        locked.diagnosis[0],
        "locked until 2026-06-01 13:00 UTC after 7 failed sign-ins (reason: too many failed sign-ins)"
    );
    assert_eq!(locked.logins.len(), 3);
    assert_eq!(locked.logins[0].reason.as_deref(), Some("account locked"));
    assert!(locked
        .diagnosis
        .iter()
        .any(|d| d == "last sign-in attempt failed 28 minutes ago (reason: account locked)"));

    let unverified = show(&admin, "anna@example.org").await.unwrap();
    assert_eq!(unverified.user.id, 3);
    assert_eq!(
        unverified.diagnosis,
        ["email not verified; verification sent 2 days ago"]
    );
    assert_eq!(unverified.tokens.len(), 1);
    let json = serde_json::to_string(&unverified).unwrap();
    assert!(!json.contains("hash-never-shown"), "{json}");
    assert!(!json.contains("argon2"), "{json}");

    let buyer = show(&admin, "1").await.unwrap();
    assert_eq!(buyer.orders.len(), 1);
    let eur = &buyer.orders[0];
    assert_eq!(
        (
            eur.currency.as_str(),
            eur.orders,
            eur.paid_cents,
            eur.refunded_cents
        ),
        ("EUR", 3, 3500, 500)
    );
    let last: Vec<i64> = buyer.last_orders.iter().map(|o| o.id).collect();
    assert_eq!(last, [12, 11, 10]);
    assert_eq!(buyer.user.roles, ["vip"]);
    assert!(buyer.diagnosis[0].starts_with("no sign-in problem found; last signed in"));

    apply(&admin, 2, 1, UserAction::Disable, Some("chargeback fraud"))
        .await
        .unwrap();
    let disabled = show(&admin, "2").await.unwrap();
    assert_eq!(
        disabled.diagnosis[0],
        "disabled by alice on 2026-06-01 (reason: chargeback fraud)"
    );
    assert_eq!(disabled.audit[0].action, "user.disable");

    let err = show(&admin, "nobody@example.com").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    let err = show(&admin, "not a key").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}

each_backend! {
    trouble_card => trouble_card_explains_sign_in_problems,
}
