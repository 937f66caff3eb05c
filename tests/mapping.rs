//! Schema mappings on real schemas: detection and check on a Django + axes +
//! allauth back end made by their own migrations (the fixture), on Devise
//! and Laravel schemas transcribed from their migration sources, on the
//! demo, and on a hand-written legacy schema that only a hand-written
//! mapping describes.

use backoffice_core::db::{Backend, Db, OpenOptions};
use backoffice_core::mapping::catalogue;
use backoffice_core::mapping::check::check;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::{in_effect, Mapping};
use backoffice_testkit::{each_backend, TestDb};
use common::legacy::{members, LEGACY_MAPPING};
use common::mapped::capability;
use common::{as_trust, frameworks};

mod common;

async fn connect(t: &TestDb) -> Db {
    Db::connect(&t.target(), OpenOptions::default())
        .await
        .expect("connect")
}

fn works(d: &backoffice_core::mapping::detect::Detection, name: &str) -> bool {
    capability(d, name).works
}

async fn django_is_detected_checked_and_left_alone(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let db = connect(&t).await;
    let before = catalogue::read(&db).await.unwrap();
    let users = t.scalar("SELECT COUNT(*) FROM auth_user").await;
    assert_eq!(users, 4);

    let d = detect(&db).await.expect("detect");
    assert_eq!(d.preset, "django + axes + allauth");
    assert!(d.tables >= 15, "{}", d.tables);
    // Every users capability (axes' attempt rows stand in for a counter);
    // this back end sells nothing.
    assert!(
        d.capabilities
            .iter()
            .all(|c| c.works == (c.name != "orders")),
        "{:?}",
        d.capabilities
    );
    assert!(d.mapping.order.is_none() && d.mapping.lifecycle.is_none());
    assert_eq!(check(&db, &d.mapping).await.unwrap(), []);

    // Written and read back, it is the same mapping, and it is in effect.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.toml");
    d.mapping.save(&file).unwrap();
    assert_eq!(in_effect(&db, Some(&file)).await.unwrap(), d.mapping);
    // Without one, the console says how to make one.
    let err = in_effect(&db, None).await.unwrap_err();
    assert!(err.to_string().contains("schema detect --write"), "{err}");

    // Attaching leaves Django's tables as they were.
    db.attach().await.expect("attach");
    let after = catalogue::read(&db).await.unwrap();
    assert_eq!(
        serde_json::to_string(&after.tables).unwrap(),
        serde_json::to_string(&before.tables).unwrap()
    );
    assert_eq!(t.scalar("SELECT COUNT(*) FROM auth_user").await, users);
    db.close().await;
}

async fn the_demo_is_the_reference_preset(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let d = detect(&db).await.unwrap();
    assert_eq!(d.preset, "reference");
    assert!(
        d.capabilities.iter().all(|c| c.works),
        "{:?}",
        d.capabilities
    );
    assert_eq!(in_effect(&db, None).await.unwrap(), d.mapping);
    assert_eq!(check(&db, &d.mapping).await.unwrap(), []);
}

/// Devise with every module (tests/common/frameworks.rs).
async fn devise_with_confirmable_and_lockable(backend: Backend) {
    let t = TestDb::new(backend).await;
    frameworks::devise_users(&t).await;
    let db = connect(&t).await;
    let d = detect(&db).await.unwrap();
    assert_eq!(d.preset, "devise + confirmable + lockable + trackable");
    let lock = d.capabilities.iter().find(|c| c.name == "lockout").unwrap();
    assert_eq!(
        lock.detail,
        "locked while users.locked_at is set; lock and unlock set and clear it"
    );
    assert!(!works(&d, "disable"));
    assert!(!works(&d, "roles"));
    assert_eq!(check(&db, &d.mapping).await.unwrap(), []);
}

/// Laravel 11 with spatie/laravel-permission (tests/common/frameworks.rs).
async fn laravel_with_spatie_roles(backend: Backend) {
    let t = TestDb::new(backend).await;
    frameworks::laravel_users(&t).await;
    let db = connect(&t).await;
    let d = detect(&db).await.unwrap();
    assert_eq!(d.preset, "laravel + spatie-permission");
    assert!(works(&d, "verification") && works(&d, "roles"));
    assert!(!works(&d, "lockout"));
    assert_eq!(check(&db, &d.mapping).await.unwrap(), []);
    let roles = d.mapping.roles.as_ref().unwrap();
    assert_eq!(roles.join.only_value.as_deref(), Some("App\\Models\\User"));
}

async fn a_legacy_schema_works_through_its_own_mapping(backend: Backend) {
    let t = TestDb::new(backend).await;
    members(&t).await;
    let db = connect(&t).await;
    let err = detect(&db).await.unwrap_err();
    assert!(err.to_string().contains("no preset recognises"), "{err}");
    let m = Mapping::parse(LEGACY_MAPPING).unwrap();
    assert_eq!(check(&db, &m).await.unwrap(), []);

    // A code in the data that the mapping does not know.
    t.exec("INSERT INTO members VALUES ('M-4', 'dee@example.com', 'Dee', NULL, 'X')")
        .await;
    let problems = check(&db, &m).await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].concept, "user.active");
    assert!(problems[0]
        .message
        .starts_with("members.state holds 'X', which the mapping does not list"));

    // A column that is not there, and one that cannot hold its concept.
    let bad = LEGACY_MAPPING
        .replace("email = \"mail\"", "email = \"email\"")
        .replace("column = \"state\"", "column = \"state\"\n")
        .replace(
            "key = \"member_code\"",
            "key = \"member_code\"\ncreated = \"given_name\"",
        );
    let m = Mapping::parse(&bad).unwrap();
    let problems: Vec<String> = check(&db, &m)
        .await
        .unwrap()
        .iter()
        .map(|p| p.to_string())
        .collect();
    // (SQLite keeps dates as text, so a text column may hold one there.)
    let expected = if backend == Backend::Sqlite { 1 } else { 2 };
    assert_eq!(problems.len(), expected, "{problems:?}");
    assert!(problems[0]
        .starts_with("user.email: table members has no column email (it has member_code, mail"));
    if backend != Backend::Sqlite {
        assert!(
            problems[1].contains("which cannot hold a date and time"),
            "{problems:?}"
        );
    }
}

each_backend! {
    django => django_is_detected_checked_and_left_alone,
    demo => the_demo_is_the_reference_preset,
    devise => devise_with_confirmable_and_lockable,
    laravel => laravel_with_spatie_roles,
    legacy => a_legacy_schema_works_through_its_own_mapping,
}

/// An account that sees the back end's tables but may read none of them
/// is told so, and how to grant it, rather than that no preset fits.
#[tokio::test]
async fn an_account_that_cannot_read_the_catalogue_is_told_why() {
    let t = TestDb::fixture(Backend::Postgres, "django").await;
    let db = as_trust(&t).await;
    let err = detect(&db).await.unwrap_err().to_string();
    db.close().await;
    assert!(
        err.contains("may read the columns of none of them"),
        "{err}"
    );
    assert!(err.contains("auth_user"), "{err}");
    assert!(err.contains("GRANT SELECT"), "{err}");
}
