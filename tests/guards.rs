//! The validation rules guard every edit, on every backend: an edit that
//! would create a finding is refused with the rule's explanation and
//! writes nothing; findings that were already there do not block an edit.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::orders::{self, OrderChange, OrderStatus};
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserAction};
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;

use common::defects::defects;
use common::shop::{audit_count, count, to, O};
use common::{console, now};

async fn edits_that_would_create_findings_are_refused(backend: Backend) {
    let c = console(backend).await;
    defects(&c.t).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    let audits = audit_count(&c).await;

    // User 11 is `Fay@example.com`, stored un-lowered, so the address
    // check on the normalised form does not see it; the rule does.
    let e = users::apply(
        &admin,
        2,
        1,
        UserAction::ChangeEmail {
            email: "FAY@example.com".into(),
        },
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("users.duplicate_email_case"), "{msg}");
    assert!(msg.contains("Find out which one the person uses"), "{msg}");
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM users WHERE id = 2 AND email = 'bob@example.com'")
            .await,
        1,
        "nothing written"
    );

    // Enabling an account that still carries 6 failed sign-ins would leave
    // it active past the lockout threshold.
    c.t.exec("UPDATE users SET failed_login_count = 6 WHERE id = 5")
        .await;
    let e = users::apply(&admin, 5, 1, UserAction::Enable, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert!(e.to_string().contains("lockout did not happen"), "{e}");
    let u = users::apply(&admin, 5, 1, UserAction::ResetFailedSignIns, None)
        .await
        .unwrap();
    let u = users::apply(&admin, 5, u.version, UserAction::Enable, None)
        .await
        .unwrap();
    assert_eq!(u.status, "active");
    assert_eq!(
        audit_count(&c).await,
        audits + 2,
        "only the two that passed"
    );

    // An order placed "in the future" (a clock skew) cannot be paid now:
    // it would be paid before it was placed.
    O::new(18, 1, "pending", 150)
        .line(1, 1, 1250)
        .insert(&c.t)
        .await;
    let support = Ctx::at(&c.db, &c.support, now());
    let e = orders::apply(&support, 18, 1, to(OrderStatus::Paid), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Validation, "{e}");
    assert!(
        e.to_string().contains("orders.timestamps_out_of_order"),
        "{e}"
    );
    assert_eq!(count(&c, "order_events", 18).await, 1, "nothing written");
    assert_eq!(
        orders::show(&support, 18).await.unwrap().order.status,
        OrderStatus::Pending
    );

    // Findings already there do not block: order 11's subtotal is off and
    // it can still be paid; order 14's dates are off and it can be refunded.
    let o = orders::apply(&support, 11, 1, to(OrderStatus::Paid), None)
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Paid);
    let o = orders::apply(
        &admin,
        14,
        1,
        OrderChange::Refund {
            amount_cents: Some(500),
        },
        Some("scratched"),
    )
    .await
    .unwrap();
    assert_eq!(o.version, 2);
    assert_eq!(audit_count(&c).await, audits + 4);
}

each_backend! {
    guards => edits_that_would_create_findings_are_refused,
}
