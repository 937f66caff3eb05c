//! What one operator saw is gone for the next: run at the end of the
//! window test, signed in as the admin.

use std::path::Path;

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::operators::sign_in;
use backoffice_core::secrets::Secret;
use backoffice_core::seed::DEMO_OPERATOR_PASSWORD;
use backoffice_core::session::Ctx;
use backoffice_core::users;
use chrono::Utc;
use fantoccini::{Client, Locator};

use crate::driver::{click, picture, sign_in_as, text_of, wait_contains};

/// Everything one operator saw is gone for the next: the admin has loaded
/// users (with a card open), orders and the audit log, all with full
/// addresses; after Switch operator (Disconnect goes the same way), support
/// signs in on the same window, and no page of it, shown or hidden, holds
/// any of it.
pub async fn across_sign_ins(client: &Client, db_path: &Path) {
    let db = Db::open(
        &Target::sqlite_file(db_path),
        OpenOptions {
            read_only: false,
            create_if_missing: false,
        },
    )
    .await
    .unwrap();
    let admin = sign_in(
        &db,
        "admin",
        &Secret::new(DEMO_OPERATOR_PASSWORD),
        Utc::now(),
    )
    .await
    .unwrap();
    let seen_by_admin = users::show(&Ctx::new(&db, &admin), "7")
        .await
        .unwrap()
        .user
        .email;
    db.close().await;
    // The admin's users view and card show the full address.
    click(client, "#nav button[data-view=users]").await;
    wait_contains(client, "#users tbody", &seen_by_admin).await;
    click(client, "#users tbody tr[data-user='7'] td").await;
    wait_contains(client, "#card-view:not([hidden])", &seen_by_admin).await;
    click(client, "#nav button[data-view=orders]").await;
    text_of(client, "#orders tbody tr").await;

    // Switch operator: signed out, connected again, asked for a name.
    click(client, "#switch-operator").await;
    text_of(client, "#signin-view:not([hidden]) h2").await;
    let name = client.find(Locator::Id("signin-user")).await.unwrap();
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some(""));
    sign_in_as(client, "support", DEMO_OPERATOR_PASSWORD).await;
    assert_eq!(
        text_of(client, "#operator-label:not([hidden])").await,
        "support (support)"
    );
    let page = || async {
        client
            .execute("return document.body.textContent + ' ' + Array.from(document.querySelectorAll('input')).map(i => i.value).join(' ')", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    let everything = page().await;
    assert!(
        !everything.contains(&seen_by_admin),
        "the admin's data is still in the page after support signed in"
    );
    assert!(
        !everything.contains("onerror"),
        "the admin's search text is still there"
    );
    // Each view loads afresh for support, masked.
    click(client, "#nav button[data-view=users]").await;
    text_of(client, "#users tbody tr").await;
    click(client, "#nav button[data-view=orders]").await;
    text_of(client, "#orders tbody tr").await;
    click(client, "#nav button[data-view=outbox]").await;
    // Support is offered only what support may do, and told that
    // validation never ran rather than shown an empty worklist.
    wait_contains(client, "#order-findings-never:not([hidden])", "never ran").await;
    for (css, what) in [
        ("#nav button[data-view=audit]", "the audit log"),
        ("#validation-run", "running the rules"),
    ] {
        let shown = client.find(Locator::Css(css)).await.unwrap();
        assert!(!shown.is_displayed().await.unwrap(), "{what} is for admins");
    }
    click(client, "#nav button[data-view=validation]").await;
    wait_contains(client, "#validation-last", "An admin can run it").await;
    click(client, "#nav button[data-view=users]").await;
    let list = text_of(client, "#users tbody").await;
    assert!(list.contains('•'), "support sees masked addresses: {list}");
    assert!(!page().await.contains(&seen_by_admin));
    assert!(
        !client
            .find(Locator::Id("card-view"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "no panel of the admin's is open"
    );
    picture(client, "users-after-switch").await;
    // Disconnect leaves the profile list and nothing of support's session.
    click(client, "#disconnect").await;
    text_of(client, "#profiles-view:not([hidden]) li[data-profile=demo]").await;
    let left = page().await;
    assert!(!left.contains("support (support)") && !left.contains('•'));
}
