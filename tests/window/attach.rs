//! A django-oscar shop made by its own migrations, opened in the window:
//! the attach page shows what was recognised and what attaching creates;
//! nothing is written until an administrator confirms; attaching creates
//! the first admin, who signs in to a dashboard counted in Oscar's own
//! status words, finds a locked-out user and unlocks them, and cancels
//! an order whose total disagrees with its lines, through its preview;
//! the Schema page builds the proposed indexes. A mapping file edited into nonsense is said in words.

use backoffice_core::db::Backend;
use backoffice_core::mapping::Mapping;
use backoffice_core::profiles::ProfileStore;
use backoffice_testkit::TestDb;

use super::driver::{click, fill, picture, settled, sign_in_as, start_app, text_of, wait_contains};

const ADMIN_PASSWORD: &str = "a long admin passphrase";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oscar_shop_is_attached_from_the_window() {
    let t = TestDb::fixture(Backend::Sqlite, "oscar").await;
    let file = t.url.trim_start_matches("sqlite:").to_string();
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let console_tables =
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'backoffice%'";

    // From an empty profile list: the profile is added and tested in the
    // window, then connected.
    let (_driver, client) = start_app(dir.path()).await;
    text_of(&client, "#profiles-empty").await;
    click(&client, "#profile-add summary").await;
    click(&client, "#profile-backend option[value=sqlite]").await;
    fill(&client, "profile-name", "shop").await;
    fill(&client, "profile-database", &file).await;
    click(&client, "#profile-submit").await;
    wait_contains(&client, "#notice", "shop: connected").await;
    assert_eq!(t.scalar(console_tables).await, 0, "testing writes nothing");
    text_of(&client, "li[data-profile=shop]").await;
    click(&client, "button[data-connect=shop]").await;
    wait_contains(&client, "#attach-preset", "oscar").await;
    let works = text_of(&client, "#attach-capabilities tr[data-capability]").await;
    assert!(!works.is_empty());
    let tables = wait_contains(&client, "#attach-tables", "backoffice_outbox").await;
    assert!(!tables.contains("IF,"), "{tables}");
    text_of(&client, "#attach-indexes tr[data-index]").await;
    picture(&client, "connect-backend").await;
    click(&client, "#attach-ddl summary").await;
    wait_contains(&client, "#attach-sql", "CREATE TABLE").await;

    // Without the confirmation nothing is written.
    fill(&client, "attach-admin", "shop.admin").await;
    fill(&client, "attach-password", ADMIN_PASSWORD).await;
    click(&client, "#attach-submit").await;
    wait_contains(&client, "#error", "confirm it first").await;
    assert_eq!(t.scalar(console_tables).await, 0);

    fill(&client, "attach-password", ADMIN_PASSWORD).await;
    click(&client, "#attach-confirm").await;
    click(&client, "#attach-submit").await;
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    assert!(t.scalar(console_tables).await > 0);
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_operators").await,
        1
    );
    let mapping = dir.path().join("mappings/shop.toml");
    assert!(mapping.exists(), "the detected mapping is saved");
    assert_eq!(
        store.get("shop").unwrap().mapping.as_deref(),
        Some(mapping.as_path())
    );

    // The first admin signs in; the dashboard speaks Oscar's statuses.
    sign_in_as(&client, "shop.admin", ADMIN_PASSWORD).await;
    text_of(&client, "#dash-orders .bar[data-status='Being processed']").await;
    text_of(&client, "#dash-users .bar[data-status=disabled]").await;
    wait_contains(&client, "#counts", "order_order").await;
    picture(&client, "dashboard-oscar").await;

    // The reference schema's commands refuse a back end of its own in
    // words, whoever calls them.
    let refused = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('search_users', {query: {text: '', status: null, \
             verified: null, role: null, created_from: null, created_until: null, \
             sort: 'created', oldest_first: false}, page: {after: null, limit: 5}})\
             .then(() => done('answered'), (e) => done(e.message));",
            vec![],
        )
        .await
        .unwrap();
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(refused.contains("not in the window yet"), "{refused}");

    // Bob is locked out by axes: his card offers the unlock, which
    // deletes his attempts as axes' own reset does.
    click(&client, "#nav button[data-view=users]").await;
    fill(&client, "muser-search", "bob").await;
    wait_contains(&client, "#musers tbody tr", "Bob").await;
    let list = settled(&client, "#musers tbody").await;
    assert!(!list.contains("Carol"), "{list}");
    click(&client, "#musers tbody tr:only-child td").await;
    wait_contains(&client, "#mcard-view h2", "Bob Builder").await;
    wait_contains(&client, "#mcard-view .facts", "locked").await;
    let enable = client
        .find(fantoccini::Locator::Css(
            "#mcard-view button[data-action=enable]",
        ))
        .await
        .unwrap();
    assert_eq!(
        enable.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(!enable
        .attr("title")
        .await
        .unwrap()
        .unwrap_or_default()
        .is_empty());
    picture(&client, "users-oscar").await;
    click(&client, "#mcard-view button[data-action=unlock]").await;
    fill(&client, "confirm-reason", "customer called").await;
    click(&client, "#confirm-ok").await;
    wait_contains(&client, "#notice", "the account is active now").await;
    let attempts = "SELECT COUNT(*) FROM axes_accessattempt WHERE username LIKE 'bob%'";
    assert_eq!(t.scalar(attempts).await, 0);
    let audited = "SELECT COUNT(*) FROM backoffice_audit_log WHERE action LIKE 'user.%'";
    assert_eq!(t.scalar(audited).await, 1);

    // Order 100002's total is not its lines plus shipping: the story says
    // so; it is cancelled through the preview, its allocation released.
    click(&client, "#nav button[data-view=orders]").await;
    fill(&client, "morder-number", "100002").await;
    wait_contains(&client, "#morders tbody", "Being processed").await;
    settled(&client, "#morders tbody").await;
    click(&client, "#morders tbody tr:only-child td").await;
    wait_contains(&client, "#morder-mismatches", "the total is 99.99 GBP").await;
    picture(&client, "order-oscar").await;
    click(&client, "#morder-cancel").await;
    wait_contains(&client, "#confirm-body", "Being processed → Cancelled").await;
    wait_contains(&client, "#mpreview-stock", "released").await;
    fill(&client, "confirm-reason", "customer changed their mind").await;
    click(&client, "#confirm-ok").await;
    wait_contains(&client, "#notice", "Order 100002 is Cancelled now").await;
    wait_contains(&client, "#morder-state", "Cancelled").await;
    let status =
        "SELECT COUNT(*) FROM order_order WHERE number = '100002' AND status = 'Cancelled'";
    assert_eq!(t.scalar(status).await, 1);
    let audited = "SELECT COUNT(*) FROM backoffice_audit_log WHERE action = 'order.cancel'";
    assert_eq!(t.scalar(audited).await, 1);

    // Validation sweeps the shop through its mapping: Oscar's planted
    // defects are found, a rule the mapping cannot express says why, and
    // a finding opens the order's story.
    click(&client, "#nav button[data-view=validation]").await;
    click(&client, "#validation-run").await;
    wait_contains(&client, "#validation-status", "3 findings").await;
    let mismatch = "#rules tr[data-rule='orders.total_mismatch']";
    wait_contains(&client, &format!("{mismatch} td.open"), "1").await;
    let normalized = "#rules tr[data-rule='users.email_not_normalized']";
    wait_contains(&client, normalized, "Cannot run here").await;
    click(&client, &format!("{mismatch} td")).await;
    wait_contains(&client, "#findings tbody", "order").await;
    picture(&client, "validation-oscar").await;
    click(&client, "#findings tbody button[data-open]").await;
    wait_contains(&client, "#morder-mismatches", "the total is 99.99 GBP").await;

    // A support message to Ada through the bulk wizard, her address read
    // through the mapping.
    let ada: i64 = t
        .scalar("SELECT id FROM auth_user WHERE username = 'ada'")
        .await;
    click(&client, "#nav button[data-view=notify]").await;
    text_of(&client, "#templates tr[data-template=support_message]").await;
    click(&client, "#bulk-send-template option[value=support_message]").await;
    click(&client, "#bulk-send-audience option[value=users]").await;
    fill(&client, "bulk-send-ids", &ada.to_string()).await;
    fill(&client, "bulk-send-subject", "Your order").await;
    fill(&client, "bulk-send-body", "It is on its way.").await;
    click(&client, "#bulk-send-preview").await;
    let summary = text_of(&client, "#confirm-dialog[open] #bulk-send-summary").await;
    assert!(summary.starts_with("1 recipient"), "{summary}");
    click(&client, "#confirm-ok").await;
    wait_contains(&client, "#notice", "Queued 1").await;
    let queued = format!(
        "SELECT COUNT(*) FROM backoffice_outbox WHERE user_key = '{ada}' \
         AND recipient = 'ada@example.com' AND template = 'support_message'"
    );
    assert_eq!(t.scalar(&queued).await, 1);

    // Ada's card lists it. A reset from the card needs Django's
    // SECRET_KEY, which this profile has not stored: refused in words,
    // and nothing queued.
    click(&client, "#nav button[data-view=users]").await;
    fill(&client, "muser-search", "lovelace").await;
    wait_contains(&client, "#musers tbody tr", "ada@example.com").await;
    let list = settled(&client, "#musers tbody").await;
    assert!(!list.contains("ADA@example.com"), "{list}");
    click(&client, "#musers tbody tr:only-child td").await;
    wait_contains(&client, "#card-sent", "support_message to ada@example.com").await;
    click(&client, "#mcard-mail button[data-send=password_reset]").await;
    wait_contains(&client, "#error", "backend-secret").await;
    let resets = "SELECT COUNT(*) FROM backoffice_outbox WHERE template = 'password_reset'";
    assert_eq!(t.scalar(resets).await, 0);

    // The Schema page: the mapping fits, and the proposed indexes (the
    // users' search, the sweep's order totals) are built on the admin's
    // word.
    click(&client, "#nav button[data-view=schema]").await;
    wait_contains(&client, "#schema-summary", "shop.toml").await;
    wait_contains(&client, "#schema-problems", "fits the database").await;
    wait_contains(&client, "#schema-console", "backoffice_operators").await;
    wait_contains(&client, "#schema-indexes tbody", "not yet").await;
    text_of(
        &client,
        "#schema-indexes tr[data-index=backoffice_order_line_totals]",
    )
    .await;
    click(&client, "#schema-build").await;
    wait_contains(&client, "#confirm-body", "CREATE").await;
    click(&client, "#confirm-ok").await;
    wait_contains(&client, "#notice", "in place").await;
    let built = wait_contains(&client, "#schema-indexes tbody", "yes").await;
    assert!(!built.contains("not yet"), "{built}");
    for built in [
        "backoffice_search_auth_user",
        "backoffice_order_line_totals",
    ] {
        let there = format!("SELECT COUNT(*) FROM sqlite_master WHERE name = '{built}'");
        assert_eq!(t.scalar(&there).await, 1, "{built}");
    }
    picture(&client, "schema-oscar").await;

    // A status word the shop's code started using: schema check names it,
    // and the editor maps it onto the lifecycle.
    t.exec("UPDATE order_order SET status = 'On hold' WHERE number = '100004'")
        .await;
    click(&client, "#nav button[data-view=dashboard]").await;
    click(&client, "#nav button[data-view=schema]").await;
    wait_contains(&client, "#schema-problems", "'On hold'").await;
    click(&client, "#mapping-edit").await;
    text_of(
        &client,
        "#mapping-statuses tr.problem[data-status='On hold']",
    )
    .await;
    click(
        &client,
        "#mapping-statuses tr[data-status='On hold'] input[data-kind=role][value=closed]",
    )
    .await;
    wait_contains(&client, "#mapping-verdict", "fits the database").await;
    picture(&client, "mapping-editor").await;
    click(&client, "#mapping-save").await;
    wait_contains(&client, "#notice", "the console works through it now").await;
    let saved = Mapping::load(&mapping).unwrap();
    let lifecycle = saved.lifecycle.unwrap();
    assert!(lifecycle.closed.contains(&"On hold".to_string()));
    assert!(lifecycle.declares("On hold"));

    // A mapping edited by hand into nonsense: the window says so.
    let nonsense = "format = 1\n[user]\ntable = 'auth user'\nkey = 'id'\nemail = 'email'\n";
    std::fs::write(&mapping, nonsense).unwrap();
    click(&client, "#disconnect").await;
    text_of(&client, "li[data-profile=shop]").await;
    click(&client, "button[data-connect=shop]").await;
    let said = wait_contains(&client, "#mapping-banner", "mapping").await;
    assert!(said.contains("'auth user' is not a table"), "{said}");

    // The admin mends it in the window: the problem is on its field, the
    // table is chosen from the database's own, and saving is refused
    // until nothing is wrong.
    sign_in_as(&client, "shop.admin", ADMIN_PASSWORD).await;
    text_of(&client, "#dash-users").await;
    click(&client, "#nav button[data-view=schema]").await;
    wait_contains(&client, "#schema-problems", "'auth user' is not a table").await;
    click(&client, "#mapping-edit").await;
    wait_contains(&client, "tr[data-concept='user.table']", "is not a table").await;
    click(&client, "#mapping-save").await;
    wait_contains(&client, "#error", "not saved").await;
    assert!(std::fs::read_to_string(&mapping)
        .unwrap()
        .contains("auth user"));
    click(
        &client,
        "select[data-concept='user.table'] option[value=auth_user]",
    )
    .await;
    wait_contains(&client, "#mapping-verdict", "fits the database").await;
    click(&client, "#mapping-save").await;
    wait_contains(&client, "#notice", "the console works through it now").await;
    wait_contains(&client, "#schema-summary", "shop.toml").await;
    let saved = std::fs::read_to_string(&mapping).unwrap();
    assert!(saved.contains("table = \"auth_user\""), "{saved}");
    // And through it the users are there again.
    click(&client, "#nav button[data-view=users]").await;
    fill(&client, "muser-search", "carol").await;
    wait_contains(&client, "#musers tbody", "carol@example.com").await;

    // The mapping file deleted: the window says so, and the editor starts
    // again from what detection proposes.
    std::fs::remove_file(&mapping).unwrap();
    click(&client, "#disconnect").await;
    text_of(&client, "li[data-profile=shop]").await;
    click(&client, "button[data-connect=shop]").await;
    wait_contains(&client, "#mapping-banner", "cannot read the mapping").await;
    sign_in_as(&client, "shop.admin", ADMIN_PASSWORD).await;
    wait_contains(&client, "#dash-orders", "has no orders").await;
    click(&client, "#nav button[data-view=schema]").await;
    click(&client, "#mapping-edit").await;
    // Detection knows Oscar's own pipeline, not the shop's 'On hold'.
    wait_contains(&client, "#mapping-verdict", "1 problem").await;
    let on_hold = "#mapping-statuses tr[data-status='On hold'] input[data-kind=role][value=closed]";
    click(&client, on_hold).await;
    wait_contains(&client, "#mapping-verdict", "fits the database").await;
    click(&client, "#mapping-save").await;
    wait_contains(&client, "#notice", "the console works through it now").await;
    assert!(Mapping::load(&mapping).unwrap().order.is_some());
    client.close().await.unwrap();
}
