//! The console's views in the real window, as an operator works through
//! them: add profiles (the password lands in the keychain), connect, the
//! dashboard, cancel an order through its preview, run validation and see
//! the planted findings, send a verification email that arrives at a real
//! SMTP server and is refused as "already sent" the second time, and read
//! all of it back in the audit log. Run under `scripts/with-session.sh`
//! (make test does).

#[path = "window/cases.rs"]
mod cases;
#[path = "window/driver.rs"]
mod driver;
#[path = "window/filters.rs"]
mod filters;
#[path = "window/fixes.rs"]
mod fixes;
#[path = "window/mail.rs"]
mod mail;
#[path = "window/outbox.rs"]
mod outbox;

use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::notify::MailSettings;
use backoffice_core::orders::{self, OrderStatus};
use backoffice_core::profiles::{remove_profile, set_mail, ProfileStore};
use backoffice_core::secrets::{KeyringStore, SecretKey, SecretStore};
use backoffice_core::seed::DEMO_OPERATOR_PASSWORD;
use backoffice_core::session::Ctx;
use backoffice_core::validation;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{server_account, TestDb};
use cases::Cases;
use driver::{
    click, fill, picture, save_as, settled, sign_in_as, start_app, text_of, wait_contains,
    wait_text,
};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_works_through_every_view() {
    let dir = tempfile::tempdir().unwrap();
    let shop = TestDb::new(Backend::Sqlite).await;
    let db_path = shop.url.trim_start_matches("sqlite:").to_string();
    let Cases {
        admin,
        order_id,
        customer,
        user_id,
        other,
        email,
    } = Cases::pick(&shop).await;

    let smtp = SmtpServer::start(&[]);
    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let keychain = KeyringStore::new();
    let (_driver, client) = start_app(dir.path()).await;

    // Add a PostgreSQL profile with the test server's account: the password
    // goes to the keychain, never to the file, and the window tests the
    // connection with it.
    let pg = server_account(Backend::Postgres);
    text_of(&client, "#profiles-view h2").await;
    click(&client, "#profile-add summary").await;
    fill(&client, "profile-name", "console-pg").await;
    click(&client, "#profile-backend option[value=postgres]").await;
    fill(&client, "profile-host", &pg.host).await;
    fill(&client, "profile-port", &pg.port.to_string()).await;
    fill(&client, "profile-database", &pg.database).await;
    fill(&client, "profile-user", &pg.user).await;
    fill(&client, "profile-password", &pg.password).await;
    click(&client, "#profile-read-only").await;
    click(&client, "#profile-submit").await;
    let notice = wait_contains(&client, "#notice", "connected to").await;
    assert!(notice.contains("console-pg"), "{notice}");
    let card = text_of(&client, "li[data-profile=console-pg]").await;
    assert!(card.contains("read-only"), "{card}");
    let stored = keychain
        .get(&SecretKey::Database("console-pg".into()))
        .unwrap()
        .expect("the password is in the keychain");
    assert_eq!(stored.expose(), pg.password);
    let file = std::fs::read_to_string(store.path()).unwrap();
    assert!(!file.contains("password"), "{file}");
    assert_eq!(
        client
            .find(Locator::Id("profile-password"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(""),
        "the password field is emptied"
    );
    remove_profile(&store, &keychain, "console-pg").unwrap();

    // Add the SQLite shop the same way, give it mail settings, connect.
    click(&client, "#profile-backend option[value=sqlite]").await;
    fill(&client, "profile-name", "console-shop").await;
    fill(&client, "profile-database", &db_path).await;
    click(&client, "#profile-submit").await;
    wait_contains(&client, "#notice", "console-shop: connected").await;
    set_mail(
        &store,
        &keychain,
        "console-shop",
        MailSettings::local(smtp.port, "support@shop.test", "https://shop.test"),
        None,
    )
    .unwrap();
    click(&client, "button[data-connect=console-shop]").await;
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    sign_in_as(&client, "admin", DEMO_OPERATOR_PASSWORD).await;

    // The dashboard counts what the database holds.
    let db = shop.open().await;
    let ctx = Ctx::new(&db, &admin);
    let paid = shop
        .scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .await;
    wait_text(
        &client,
        "#dash-orders .bar[data-status=paid] .num",
        &paid.to_string(),
    )
    .await;
    assert_eq!(
        text_of(&client, "#counts tr[data-table=users] td.num").await,
        "300"
    );
    picture(&client, "dashboard").await;

    // Orders: find the customer's orders, open the paid one, cancel it
    // through the preview, with a reason.
    click(&client, "#nav button[data-view=orders]").await;
    fill(&client, "order-customer", &customer.to_string()).await;
    let row = format!("#orders tbody tr[data-order='{order_id}'] td");
    text_of(&client, &row).await;
    click(&client, &row).await;
    wait_contains(&client, "#order-title", &format!("Order {order_id}")).await;
    click(&client, "#order-cancel").await;
    let summary = text_of(&client, "#confirm-dialog[open] #preview-summary").await;
    assert!(summary.to_lowercase().contains("cancel"), "{summary}");
    let before = orders::show(&ctx, order_id).await.unwrap();
    assert_eq!(
        before.order.status,
        OrderStatus::Paid,
        "nothing written yet"
    );
    fill(&client, "confirm-reason", "customer asked by phone").await;
    picture(&client, "order-preview").await;
    click(&client, "#confirm-ok").await;
    wait_text(&client, "#order-state", "cancelled").await;
    let after = orders::show(&ctx, order_id).await.unwrap();
    assert_eq!(after.order.status, OrderStatus::Cancelled);
    picture(&client, "orders").await;

    // Bulk: every pending order listed is marked paid after one preview
    // and one confirmation; those that cannot change are named.
    let pending = shop
        .scalar("SELECT COUNT(*) FROM orders WHERE status = 'pending'")
        .await;
    fill(&client, "order-customer", " ").await;
    click(&client, "#order-status option:nth-child(2)").await;
    wait_text(&client, "#orders-summary", &format!("{pending} matching")).await;
    click(&client, "#bulk-change option[value=paid]").await;
    click(&client, "#bulk-run").await;
    let summary = text_of(&client, "#confirm-dialog[open] #bulk-summary").await;
    let ready: i64 = summary.split(' ').next().unwrap().parse().unwrap();
    assert!(ready > 0 && ready <= pending, "{summary}");
    picture(&client, "bulk-preview").await;
    // Without a reason the dialog stays open and nothing is written.
    click(&client, "#confirm-ok").await;
    text_of(&client, "#confirm-dialog[open] #bulk-summary").await;
    assert_eq!(
        shop.scalar("SELECT COUNT(*) FROM orders WHERE status = 'pending'")
            .await,
        pending
    );
    fill(&client, "confirm-reason", "payments reconciled").await;
    click(&client, "#confirm-ok").await;
    let done = wait_contains(&client, "#notice", "Bulk change:").await;
    // "Bulk change: N changed, M failed or not attempted." (a guard may
    // still refuse an order at commit; it is then named in the error box).
    let changed: i64 = done
        .trim_start_matches("Bulk change: ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(changed > 0 && changed <= ready, "{done}");
    let left = shop
        .scalar("SELECT COUNT(*) FROM orders WHERE status = 'pending'")
        .await;
    assert_eq!(left, pending - changed, "{done}");

    // The total and currency filters, as typed.
    filters::order_totals(&client, &shop).await;

    // Validation: run every rule in the window; each rule's open count is
    // what the sweep recorded, and the planted defects are among them.
    click(&client, "#nav button[data-view=validation]").await;
    click(&client, "#validation-run").await;
    wait_contains(&client, "#validation-status", "Run 1:").await;
    let summary = validation::summary(&ctx).await.unwrap();
    let planted: i64 = summary.iter().map(|c| c.open).sum();
    assert!(planted > 0, "the seed plants defects");
    for c in &summary {
        wait_text(
            &client,
            &format!("#rules tr[data-rule='{}'] td.open", c.rule_id),
            &c.open.to_string(),
        )
        .await;
    }
    let busiest = summary.iter().max_by_key(|c| c.open).unwrap();
    click(
        &client,
        &format!("#rules tr[data-rule='{}'] td", busiest.rule_id),
    )
    .await;
    wait_text(&client, "#findings-title", &busiest.title).await;
    text_of(&client, "#findings tr[data-finding]").await;
    picture(&client, "validation").await;

    // One finding fixed from its own row, then a whole rule's.
    fixes::one_finding(&client, &ctx, &shop, &summary).await;
    let summary = validation::summary(&ctx).await.unwrap();

    // A rule with a mechanical fix: preview it, apply it, the findings it
    // fixed are marked so.
    // (An expired lock is always cleared; other fixes may leave a record to
    // a person.)
    let fixable = summary
        .iter()
        .find(|c| c.rule_id == "users.lock_expired" && c.open > 0)
        .expect("the seed plants an expired lock");
    assert!(validation::fix_for_rule(&fixable.rule_id).is_some());
    click(
        &client,
        &format!("#rules tr[data-rule='{}'] td", fixable.rule_id),
    )
    .await;
    wait_text(&client, "#findings-title", &fixable.title).await;
    let marked_before = shop
        .scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_findings WHERE status = 'fixed' AND rule_id = '{}'",
            fixable.rule_id
        ))
        .await;
    click(&client, "#fix-preview").await;
    let plan = text_of(&client, "#confirm-dialog[open] #fix-summary").await;
    assert!(plan.starts_with("Changes to "), "{plan}");
    text_of(&client, "#confirm-dialog[open] #fix-changes tr").await;
    picture(&client, "fix-preview").await;
    fill(&client, "confirm-reason", "totals recomputed").await;
    // The one-finding fix left a notice of the same form: wait for this one.
    client
        .execute("document.getElementById('notice').textContent = ''", vec![])
        .await
        .unwrap();
    click(&client, "#confirm-ok").await;
    let fixed = wait_contains(&client, "#notice", " fixed, ").await;
    let applied: i64 = fixed
        .split(": ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{fixed}"));
    assert!(applied > 0, "{fixed}");
    let marked = shop
        .scalar(&format!(
            "SELECT COUNT(*) FROM backoffice_findings WHERE status = 'fixed' AND rule_id = '{}'",
            fixable.rule_id
        ))
        .await;
    assert_eq!(marked - marked_before, applied, "{fixed}");

    // Mail from the user's card (tests/window/mail.rs).
    mail::from_the_card(&client, &smtp, &email, user_id).await;

    // The bulk wizard: a support message to two users and an id that does
    // not exist; the preview counts them and shows a sample, the missing id
    // is named, and both messages arrive.
    click(&client, "#nav button[data-view=notify]").await;
    text_of(&client, "#templates tr[data-template=support_message]").await;
    click(&client, "#bulk-send-template option[value=support_message]").await;
    click(&client, "#bulk-send-audience option[value=users]").await;
    let ids = format!("{user_id}, {other} 999999999");
    fill(&client, "bulk-send-ids", &ids).await;
    fill(&client, "bulk-send-subject", "About your account").await;
    fill(&client, "bulk-send-body", "We fixed the address on file.").await;
    picture(&client, "notifications").await;
    click(&client, "#bulk-send-preview").await;
    let summary = text_of(&client, "#confirm-dialog[open] #bulk-send-summary").await;
    let body = text_of(&client, "#confirm-dialog[open] #confirm-body").await;
    assert_eq!(
        summary, "2 recipients: 2 to queue, 0 already notified recently (skipped).",
        "{user_id} {other}: {body}"
    );
    assert!(body.contains("Not found, left out: 999999999."), "{body}");
    assert!(body.contains("We fixed the address on file."), "{body}");
    picture(&client, "bulk-send").await;
    click(&client, "#confirm-ok").await;
    wait_contains(
        &client,
        "#notice",
        "Queued 2, skipped 0 already notified, 1 refused.",
    )
    .await;
    let got = smtp.wait_for(3, Duration::from_secs(30));
    let mut bulk: Vec<&str> = got[1..].iter().map(|m| m.to.as_str()).collect();
    bulk.sort();
    assert!(got[1..].iter().all(|m| m.subject == "About your account"));
    assert!(
        bulk.iter().any(|to| to.ends_with(&format!("<{email}>"))),
        "{bulk:?}"
    );
    // The outbox says this window delivers, and lists the three as sent.
    click(&client, "#nav button[data-view=outbox]").await;
    wait_text(
        &client,
        "#mail-status",
        "Mail: this window delivers the outbox.",
    )
    .await;
    outbox::three_sent(&client, &shop).await;

    // The audit log shows what the window did, with before and after.
    click(&client, "#nav button[data-view=audit]").await;
    fill(&client, "audit-operator", "admin").await;
    wait_contains(&client, "#audit tbody", "order.cancel").await;
    let cancel_row = settled(&client, "#audit tbody").await;
    assert!(cancel_row.contains("notify.send"), "{cancel_row}");
    assert!(cancel_row.contains("notify.bulk"), "{cancel_row}");
    assert!(
        cancel_row.contains("customer asked by phone"),
        "{cancel_row}"
    );
    click(&client, "#audit-verify").await;
    wait_contains(&client, "#audit-verified", "Chain intact").await;
    picture(&client, "audit").await;

    // The filtered list exported to a file picked in the save dialog.
    let csv = dir.path().join("admin-audit.csv");
    click(&client, "#audit-export").await;
    save_as("Export audit as CSV", &csv).await;
    let entries = shop
        .scalar("SELECT COUNT(*) FROM backoffice_audit_log WHERE operator = 'admin'")
        .await;
    let saved = wait_contains(&client, "#notice", &format!("Saved {entries} rows")).await;
    assert!(saved.contains("admin-audit.csv"), "{saved}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id,at,operator,action"), "{text}");
    assert_eq!(lines.len() as i64, entries + 1, "{text}");
    assert!(
        text.contains("order.cancel") && text.contains("notify.send"),
        "{text}"
    );
    assert!(
        !dir.path().join("admin-audit.csv.part").exists(),
        "the partial file is gone"
    );

    db.close().await;
    client.close().await.unwrap();
}
