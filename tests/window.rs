//! The real desktop app in a real (virtual) window, driven over WebDriver:
//! tauri-driver in front of WebKitWebDriver, as a person would click it.
//! Run under `scripts/with-session.sh` (make test does), which provides
//! the X display and the keychain.

#[path = "window/attach.rs"]
mod attach;
#[path = "window/driver.rs"]
mod driver;
#[path = "window/privacy.rs"]
mod privacy;

use std::path::Path;

use backoffice_core::db::{Db, OpenOptions, Target};
use backoffice_core::operators::sign_in;
use backoffice_core::profiles::{add_profile, Profile, ProfileStore};
use backoffice_core::secrets::{MemoryStore, Secret};
use backoffice_core::seed::DEMO_OPERATOR_PASSWORD;
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserAction};
use chrono::Utc;
use driver::{
    click, fill, picture, save_as, seed_as_admin, settled, sign_in_as, start_app, start_app_with,
    text_of, wait_contains, wait_text,
};
use fantoccini::Locator;

const PAYLOAD: &str = "<img src=x onerror=alert(1)>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_profiles_connects_and_shows_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("shop.db");
    let db = Db::open(
        &Target::sqlite_file(&db_path),
        OpenOptions {
            read_only: false,
            create_if_missing: true,
        },
    )
    .await
    .unwrap();
    let admin = seed_as_admin(&db, 120, 240, 3).await;
    // A user whose display name is a script payload: it must show as text.
    let ctx = Ctx::new(&db, &admin);
    let seven = users::show(&ctx, "7").await.unwrap().user;
    let rename = UserAction::ChangeDisplayName {
        display_name: PAYLOAD.into(),
    };
    users::apply(&ctx, 7, seven.version, rename, None)
        .await
        .unwrap();
    db.close().await;

    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let secrets = MemoryStore::default(); // SQLite profiles keep no secret
    let sqlite = |name: &str, path: &Path, demo: bool| Profile {
        demo,
        ..Profile::sqlite_file(name, path)
    };
    add_profile(
        &store,
        &secrets,
        sqlite("demo", &db_path, true),
        None,
        false,
    )
    .unwrap();
    add_profile(
        &store,
        &secrets,
        sqlite("broken", &dir.path().join("gone.db"), false),
        None,
        false,
    )
    .unwrap();

    let (_driver, client) = start_app(dir.path()).await;

    // Both profiles are listed, the demo one with its badge.
    assert!(text_of(&client, "li[data-profile=demo]")
        .await
        .contains("demo"));
    assert!(text_of(&client, "li[data-profile=broken]")
        .await
        .contains("gone.db"));
    picture(&client, "profiles").await;

    // A profile whose database is gone says so, in words.
    client
        .find(Locator::Css("button[data-connect=broken]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("SQLite database file not found"), "{error}");
    // It can be edited in the window: the form comes back filled, the
    // name fixed; saving keeps what the form does not show and tests it.
    click(&client, "button[data-edit=broken]").await;
    wait_text(&client, "#profile-form-title", "Edit profile broken").await;
    let name = client.find(Locator::Id("profile-name")).await.unwrap();
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("broken"));
    assert!(
        name.attr("readonly").await.unwrap().is_some(),
        "the name stays"
    );
    fill(&client, "profile-database", &db_path.display().to_string()).await;
    click(&client, "#profile-read-only").await;
    picture(&client, "profile-edit").await;
    click(&client, "#profile-submit").await;
    wait_contains(&client, "#notice:not([hidden])", "Profile broken: ").await;
    let edited = store.get("broken").unwrap();
    assert_eq!(edited.database, db_path.display().to_string());
    assert!(edited.read_only);
    assert!(text_of(&client, "li[data-profile=broken] .badge.read-only")
        .await
        .contains("read-only"));
    wait_text(&client, "#profile-form-title", "Add a profile").await;
    // Such a profile can be removed from the window.
    click(&client, "button[data-remove=broken]").await;
    text_of(&client, "#confirm-dialog[open] #confirm-title").await;
    click(&client, "#confirm-ok").await;
    wait_contains(&client, "#notice:not([hidden])", "Profile broken removed").await;
    assert!(store.get("broken").is_err(), "gone from the profiles file");

    // The demo connects and shows the real row counts.
    client
        .find(Locator::Css("button[data-connect=demo]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Connected: the operator signs in, and a wrong password is refused
    // in words, with the password field emptied.
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    sign_in_as(&client, "admin", "not the password").await;
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("wrong operator name or password"), "{error}");
    let password = client.find(Locator::Id("signin-password")).await.unwrap();
    assert_eq!(password.prop("value").await.unwrap().as_deref(), Some(""));
    picture(&client, "sign-in").await;
    sign_in_as(&client, "admin", DEMO_OPERATOR_PASSWORD).await;
    assert_eq!(
        text_of(&client, "#operator-label:not([hidden])").await,
        "admin (admin)"
    );

    // The demo profile has no mail settings: the outbox says mail does not
    // leave from this window, and why.
    click(&client, "#nav button[data-view=outbox]").await;
    wait_contains(&client, "#mail-status", "the profile has no mail settings").await;
    click(&client, "#nav button[data-view=dashboard]").await;

    let users = text_of(&client, "#counts tr[data-table=users] td.num").await;
    assert_eq!(users, "120");
    assert_eq!(
        text_of(&client, "#counts tr[data-table=orders] td.num").await,
        "240"
    );
    assert_eq!(
        text_of(
            &client,
            "#counts tr[data-table=backoffice_operators] td.num"
        )
        .await,
        "2"
    );
    let banner = client.find(Locator::Id("demo-banner")).await.unwrap();
    assert!(
        banner.is_displayed().await.unwrap(),
        "the demo banner shows"
    );
    assert!(!client
        .find(Locator::Id("error"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    picture(&client, "connected").await;

    // Search as you type: the payload user is found and shown as text, and
    // the trouble card opens on a click.
    click(&client, "#nav button[data-view=users]").await;
    fill(&client, "user-search", "onerror").await;
    // The only row left once the search has answered.
    let row = text_of(&client, "#users tbody tr[data-user='7']:only-child").await;
    assert!(row.contains(PAYLOAD), "{row}");
    assert!(client.find(Locator::Css("#users img")).await.is_err());
    click(&client, "#users tbody tr[data-user='7']:only-child td").await;
    assert_eq!(
        text_of(&client, "#card-view:not([hidden]) #card-title").await,
        PAYLOAD
    );
    // Lock from the card, with a reason.
    fill(&client, "action-reason", "chargeback").await;
    click(&client, "#action-submit").await;
    wait_text(&client, "#action-submit", "Unlock account").await;
    // Someone else unlocks it meanwhile; the window's unlock carries the
    // old version, is refused in words, and the card shows the account as
    // it is now.
    let db = Db::open(
        &Target::sqlite_file(&db_path),
        OpenOptions {
            read_only: false,
            create_if_missing: false,
        },
    )
    .await
    .unwrap();
    let support = sign_in(
        &db,
        "support",
        &Secret::new(DEMO_OPERATOR_PASSWORD),
        Utc::now(),
    )
    .await
    .unwrap();
    let ctx = Ctx::new(&db, &support);
    let now = users::show(&ctx, "7").await.unwrap().user;
    assert_eq!(now.status, "locked");
    users::apply(&ctx, 7, now.version, UserAction::Unlock, Some("phone call"))
        .await
        .unwrap();
    click(&client, "#action-submit").await;
    let error = text_of(&client, "#error:not([hidden])").await;
    assert!(error.contains("changed by someone else"), "{error}");
    wait_text(&client, "#action-submit", "Lock account").await;
    // What changed is shown: the status as the operator saw it and now.
    let seen = "#conflict tr[data-field='Status'] td";
    assert_eq!(text_of(&client, &format!("{seen}.old")).await, "locked");
    assert_eq!(text_of(&client, &format!("{seen}.new")).await, "active");
    let audit = users::show(&ctx, "7").await.unwrap().audit;
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.operator.as_str()))
        .collect();
    assert!(actions.contains(&("user.lock", "admin")), "{actions:?}");
    assert!(actions.contains(&("user.unlock", "support")), "{actions:?}");
    db.close().await;

    picture(&client, "users").await;

    // The search's whole result as CSV, to a file picked in the save
    // dialog: the payload stays text.
    let csv = dir.path().join("onerror-users.csv");
    click(&client, "#users-export").await;
    save_as("Export users as CSV", &csv).await;
    wait_contains(&client, "#notice:not([hidden])", "Saved 1 row to").await;
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("7,"), "{text}");
    assert!(text.contains(PAYLOAD), "{text}");

    // The audit log in the window shows both changes to user 7: the lock
    // from this window with its reason, the concurrent unlock by support,
    // and what each changed.
    click(&client, "#nav button[data-view=audit]").await;
    fill(&client, "audit-entity", "user").await;
    fill(&client, "audit-entity-id", "7").await;
    wait_contains(&client, "#audit tbody", "user.unlock").await;
    let rows = settled(&client, "#audit tbody").await;
    assert!(
        rows.contains("support") && rows.contains("phone call"),
        "{rows}"
    );
    assert!(
        rows.contains("user.lock") && rows.contains("chargeback"),
        "{rows}"
    );
    click(&client, "#audit tbody tr[data-audit]:nth-child(3) td").await;
    let detail = text_of(&client, "#audit tbody tr.detail:not([hidden])").await;
    assert!(
        detail.contains("Before") && detail.contains("After"),
        "{detail}"
    );

    privacy::across_sign_ins(&client, &db_path).await;
    client.close().await.unwrap();
}

/// The dark theme, forced as a desktop set to dark would: the page really
/// switches (its background is the dark one), and a screenshot of it is
/// taken for the README (`make screenshots`). Contrast is checked by
/// ui/src/contrast.test.ts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dark_theme_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("dark.db");
    let options = OpenOptions {
        read_only: false,
        create_if_missing: true,
    };
    let db = Db::open(&Target::sqlite_file(&db_path), options)
        .await
        .unwrap();
    seed_as_admin(&db, 60, 120, 5).await;
    db.close().await;
    let store = ProfileStore::at(dir.path().join("profiles.toml"));
    let profile = Profile {
        demo: true,
        ..Profile::sqlite_file("demo", &db_path)
    };
    add_profile(&store, &MemoryStore::default(), profile, None, false).unwrap();
    let (_driver, client) = start_app_with(dir.path(), &[("BACKOFFICE_THEME", "dark")]).await;
    text_of(&client, "li[data-profile=demo]").await;
    click(&client, "button[data-connect=demo]").await;
    text_of(&client, "#signin-view:not([hidden]) h2").await;
    sign_in_as(&client, "admin", DEMO_OPERATOR_PASSWORD).await;
    click(&client, "#nav button[data-view=users]").await;
    text_of(&client, "#users tbody tr").await;
    let background = client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        background.as_str(),
        Some("rgb(20, 23, 28)"),
        "the dark --bg"
    );
    picture(&client, "users-dark").await;
    client.close().await.unwrap();
}
