//! `schema indexes` on the Django fixture: what each database is offered,
//! building it, search through it, and (on SQLite) the triggers keeping it
//! true as the back end and the console change users; exact answers where
//! users' addresses are alike.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::indexes::{create, in_place, propose};
use backoffice_core::users::mapped::search;
use backoffice_core::users::{UserAction, UserQuery};
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{act, operators};
use common::now;

async fn names(ctx: &Ctx<'_>, m: &Mapping, text: &str) -> Vec<String> {
    let q = UserQuery {
        text: text.into(),
        ..UserQuery::default()
    };
    let page = search(ctx, m, &q, &PageRequest::first(50)).await.unwrap();
    page.items.into_iter().map(|u| u.name).collect()
}

async fn indexes_are_proposed_built_and_used(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());

    let plan = propose(&db, &m).await.unwrap();
    let expected: &[&str] = match backend {
        Backend::Sqlite => &["backoffice_search_auth_user"],
        Backend::Postgres => &[
            "pg_trgm",
            "backoffice_search_auth_user_email",
            "backoffice_search_auth_user_name",
        ],
        Backend::Mysql => &[],
    };
    let proposed: Vec<&str> = plan.proposals.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(proposed, expected);
    if backend == Backend::Mysql {
        assert!(plan
            .note
            .as_deref()
            .unwrap()
            .contains("MariaDB has no index"));
        assert_eq!(in_place(&db, &m).await.unwrap(), None);
    } else {
        assert!(!plan.in_place());
        assert_eq!(in_place(&db, &m).await.unwrap(), Some(false));
        assert!(plan.proposals.iter().all(|p| !p.ddl.is_empty()));
    }
    let before = names(&ctx, &m, "love").await;
    assert_eq!(before, ["Ada Lovelace"]);

    // Stopped before it starts, nothing is built, and the refusal says so.
    let stopped = CancelToken::new();
    stopped.cancel();
    match create(&db, &m, &NoProgress, &stopped).await {
        Err(e) => assert!(e.to_string().starts_with("stopped: 0 of "), "{e}"),
        // MariaDB: nothing to build, so nothing to stop.
        Ok(plan) => assert_eq!(backend, Backend::Mysql, "{plan:?}"),
    }
    assert_eq!(propose(&db, &m).await.unwrap(), plan);

    // Built on request, each index heard of before it starts; building
    // again finds everything in place.
    let heard = std::sync::Mutex::new(Vec::new());
    let hear = |p: backoffice_core::progress::Progress| heard.lock().unwrap().push(p.stage);
    let built = create(&db, &m, &hear, &CancelToken::new()).await.unwrap();
    let missing: Vec<String> = plan
        .proposals
        .iter()
        .filter(|p| !p.exists)
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(*heard.lock().unwrap(), missing);
    assert_eq!(built.in_place(), backend != Backend::Mysql);
    assert_eq!(
        create(&db, &m, &NoProgress, &CancelToken::new())
            .await
            .unwrap(),
        built
    );
    // The same answers through the indexes, in any case, by key too, and
    // for texts too short for trigrams.
    assert_eq!(names(&ctx, &m, "love").await, before);
    assert_eq!(names(&ctx, &m, "LOVE").await, before);
    assert_eq!(names(&ctx, &m, "bob@EXAMPLE").await, ["Bob Builder"]);
    assert_eq!(names(&ctx, &m, "ob").await, ["Bob Builder"]);
    assert_eq!(names(&ctx, &m, "50%").await.len(), 0);

    // Kept true by the triggers (SQLite) or by the index itself: a user
    // the back end adds, a name it changes, an address the console changes.
    t.exec(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, \
         is_staff, is_active, date_joined) VALUES ('x', false, 'zed', 'Zed', 'Quill', \
         'zed@example.com', false, true, '2026-01-01 10:00:00')",
    )
    .await;
    assert_eq!(names(&ctx, &m, "quill").await, ["Zed Quill"]);
    t.exec("UPDATE auth_user SET last_name = 'Quorn' WHERE username = 'zed'")
        .await;
    assert!(names(&ctx, &m, "quill").await.is_empty());
    assert_eq!(names(&ctx, &m, "quorn").await, ["Zed Quorn"]);
    t.exec("DELETE FROM auth_user WHERE username = 'zed'").await;
    assert!(names(&ctx, &m, "quorn").await.is_empty());
    let email = UserAction::ChangeEmail {
        email: "cee@elsewhere.example".into(),
    };
    let found = search(
        &ctx,
        &m,
        &UserQuery {
            text: "carol@".into(),
            ..UserQuery::default()
        },
        &PageRequest::first(5),
    )
    .await
    .unwrap();
    act(&ctx, &m, &found.items[0].key, email).await.unwrap();
    assert_eq!(names(&ctx, &m, "elsewhere").await, ["Carol"]);
    assert!(names(&ctx, &m, "carol@").await.is_empty());
}

/// Three hundred users alike but for a number (`member17.hill@…`, `Member
/// Hill17`), as generated or bulk-imported accounts are, and two more that
/// hold or nearly hold one of their addresses.
fn alike() -> String {
    let mut rows: Vec<String> = (1..=300)
        .map(|i| format!("('member{i}', 'Member', 'Hill{i}', 'member{i}.hill@shop.example')"))
        .collect();
    rows.push("('amember', 'Ann', 'Member', 'amember123.hill@shop.example')".into());
    rows.push("('near', 'Near', 'Miss', 'member1234.hill@shop.example')".into());
    let values: Vec<String> = rows
        .iter()
        .map(|r| {
            let r = r.trim_end_matches(')');
            format!("{r}, 'x', false, false, true, '2026-01-01 10:00:00')")
        })
        .collect();
    format!(
        "INSERT INTO auth_user (username, first_name, last_name, email, password, is_superuser, \
         is_staff, is_active, date_joined) VALUES {}",
        values.join(", ")
    )
}

/// Where most users share most of an address, PostgreSQL asks its index
/// for the rare part only (the sample of the table is read at the first
/// search, so the users are there before it); the answer is exact on
/// every backend, through the indexes and without them.
async fn alike_addresses_are_told_apart(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, _) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());
    t.exec(&alike()).await;

    for built in [false, true] {
        if built {
            create(&db, &m, &NoProgress, &CancelToken::new())
                .await
                .unwrap();
        }
        let found = names(&ctx, &m, "member123.hill@shop.example").await;
        assert_eq!(found, ["Member Hill123", "Ann Member"], "indexes: {built}");
        let found = names(&ctx, &m, "MEMBER123.HILL@").await;
        assert_eq!(found, ["Member Hill123", "Ann Member"], "indexes: {built}");
        assert!(names(&ctx, &m, "member123.hills@").await.is_empty());
        let found = names(&ctx, &m, "member1234.").await;
        assert_eq!(found, ["Near Miss"], "indexes: {built}");
        let mut hill12 = names(&ctx, &m, "hill12").await;
        hill12.sort();
        let mut expected: Vec<String> = std::iter::once(12)
            .chain(120..=129)
            .map(|i| format!("Member Hill{i}"))
            .collect();
        expected.sort();
        assert_eq!(hill12, expected, "indexes: {built}");
    }
}

each_backend! {
    indexes => indexes_are_proposed_built_and_used,
    alike => alike_addresses_are_told_apart,
}
