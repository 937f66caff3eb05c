//! `schema indexes` on the Django fixture: what each database is offered,
//! building it, search through it, and (on SQLite) the triggers keeping it
//! true as the back end and the console change users.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::page::PageRequest;
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

    // Built on request; building again finds everything in place.
    let built = create(&db, &m).await.unwrap();
    assert_eq!(built.in_place(), backend != Backend::Mysql);
    assert_eq!(create(&db, &m).await.unwrap(), built);
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

each_backend! {
    indexes => indexes_are_proposed_built_and_used,
}
