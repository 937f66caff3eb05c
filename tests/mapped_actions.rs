//! Account actions on the Django + axes + allauth fixture (made by their own
//! migrations), written as those projects write them and checked behind
//! the console's back. Conflicts are found by fingerprint, since none of
//! these tables has a version column.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::{apply, card};
use backoffice_core::users::UserAction;
use backoffice_core::{Error, ErrorCode};
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{act, last_audit, message, operators};
use common::now;

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
    let view = t.framework_view("django");
    assert_eq!(view["carol"]["primary"], "carol.new@example.com");
    assert_eq!(
        view["carol"]["verified"], false,
        "allauth: not verified yet"
    );
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

    // Django, axes and allauth read it all back as their own.
    let view = t.framework_view("django");
    let user = |name: &str| &view[name];
    assert_eq!(user("ada")["is_active"], true);
    assert_eq!(user("ada")["groups"], serde_json::json!([]));
    assert_eq!(user("bob")["groups"], serde_json::json!(["finance"]));
    assert_eq!(user("bob")["attempts"], 0);
    assert_eq!(user("carol")["attempts"], 0);
    assert_eq!(user("carol")["email"], "carol@example.com");
    assert_eq!(user("carol")["primary"], "carol@example.com");
    assert_eq!(user("carol")["verified"], true);
    assert_eq!(user("carol")["addresses"], 2);
    assert_eq!(user("dave")["is_active"], false);
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

each_backend! {
    django => django_actions_are_written_as_django_axes_and_allauth_write_them,
    django_race => two_operators_at_once_on_django,
}
