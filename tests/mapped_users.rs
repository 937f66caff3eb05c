//! Users of back ends the console did not design, through their mapping:
//! the Django + axes + allauth fixture (made by their own migrations) and
//! a legacy schema with a text key and one-letter codes.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::Mapping;
use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::{card, search, MappedUser};
use backoffice_core::users::{UserQuery, UserStatus};
use backoffice_core::{ErrorCode, Result};
use backoffice_testkit::{each_backend, TestDb};
use common::legacy::{members, LEGACY_MAPPING};
use common::mapped::operators;
use common::now;

fn text(t: &str) -> UserQuery {
    UserQuery {
        text: t.into(),
        ..UserQuery::default()
    }
}

async fn find(ctx: &Ctx<'_>, m: &Mapping, t: &str) -> Vec<MappedUser> {
    filtered(ctx, m, text(t)).await.unwrap()
}

/// Every user the query finds (one page of 50).
async fn filtered(ctx: &Ctx<'_>, m: &Mapping, q: UserQuery) -> Result<Vec<MappedUser>> {
    Ok(search(ctx, m, &q, &PageRequest::first(50)).await?.items)
}

/// The names of every user the query finds.
async fn names_of(ctx: &Ctx<'_>, m: &Mapping, q: UserQuery) -> Vec<String> {
    let found = filtered(ctx, m, q).await.unwrap();
    found.into_iter().map(|u| u.name).collect()
}

async fn django_users_are_searched_with_what_axes_and_allauth_know(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, support) = operators(&t).await;
    let m = detect(&db).await.unwrap().mapping;
    let ctx = Ctx::at(&db, &admin, now());

    let all = find(&ctx, &m, "").await;
    let names: Vec<&str> = all.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Ada Lovelace", "Bob Builder", "Carol", "Dave Off"]);
    let by = |n: &str| all.iter().find(|u| u.name.starts_with(n)).unwrap().clone();
    let (ada, bob, carol, dave) = (by("Ada"), by("Bob"), by("Carol"), by("Dave"));
    assert_eq!(ada.state.as_deref(), Some("active"));
    assert_eq!((ada.locked, ada.verified), (Some(false), Some(true)));
    assert!(ada.created.is_some() && ada.last_sign_in.is_none());
    // Three failures under the email as typed, matched case-insensitively.
    assert_eq!((bob.locked, bob.failed_attempts), (Some(true), Some(3)));
    assert_eq!(bob.verified, Some(false));
    assert_eq!(
        (carol.locked, carol.failed_attempts),
        (Some(false), Some(1))
    );
    assert_eq!(dave.state.as_deref(), Some("disabled"));
    assert_eq!(dave.verified, Some(false), "no address row: not verified");

    // Any substring, any case; by key too.
    let hits = find(&ctx, &m, "LOVE").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].email, "ada@example.com");
    assert_eq!(find(&ctx, &m, "bob@EXAMPLE").await[0].name, "Bob Builder");
    // An address is matched whole, though PostgreSQL may ask its index for
    // its rarer parts only.
    assert!(find(&ctx, &m, "bob@example.net").await.is_empty());
    let ada_only = find(&ctx, &m, "da@example.c").await;
    assert_eq!(ada_only.len(), 1, "{ada_only:?}");
    assert_eq!(find(&ctx, &m, &bob.key).await.len(), 1);
    assert!(
        find(&ctx, &m, "50%").await.is_empty(),
        "wildcards are literal"
    );

    // Pages in key order.
    let first = search(&ctx, &m, &text("example.com"), &PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    let rest = search(
        &ctx,
        &m,
        &text("example.com"),
        &PageRequest {
            after: first.next.clone(),
            limit: Some(3),
        },
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].name, "Dave Off");
    assert!(rest.next.is_none());

    // The card: roles through auth_user_groups, sign-ins from axes' log.
    let c = card(&ctx, &m, &ada.key).await.unwrap();
    assert_eq!(c.roles.as_deref(), Some(&["support".to_string()][..]));
    let history = c.sign_ins.as_ref().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].ip.as_deref(), Some("10.0.0.5"));
    assert!(history[0].at.is_some());
    assert!(c.not_known.is_empty(), "{:?}", c.not_known);
    let c = card(&ctx, &m, &bob.key).await.unwrap();
    assert_eq!(c.user.locked, Some(true));
    assert_eq!(c.roles.as_deref(), Some(&[][..]));
    assert_eq!(c.sign_ins.as_deref(), Some(&[][..]));
    let err = card(&ctx, &m, "not-a-number").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(
        card(&ctx, &m, "987654").await.unwrap_err().code(),
        ErrorCode::NotFound
    );

    // Filters, answered from what Django, axes and allauth keep.
    let by = |status: UserStatus| UserQuery {
        status: Some(status),
        ..UserQuery::default()
    };
    assert_eq!(
        names_of(&ctx, &m, by(UserStatus::Locked)).await,
        ["Bob Builder"]
    );
    assert_eq!(
        names_of(&ctx, &m, by(UserStatus::Disabled)).await,
        ["Dave Off"]
    );
    assert_eq!(
        names_of(&ctx, &m, by(UserStatus::Active)).await,
        ["Ada Lovelace", "Carol"]
    );
    let verified = UserQuery {
        verified: Some(false),
        text: "b".into(),
        ..UserQuery::default()
    };
    assert_eq!(names_of(&ctx, &m, verified).await, ["Bob Builder"]);
    let role = UserQuery {
        role: Some("support".into()),
        ..UserQuery::default()
    };
    assert_eq!(names_of(&ctx, &m, role).await, ["Ada Lovelace"]);
    let later = UserQuery {
        created_from: Some(chrono::Utc::now() + chrono::Duration::days(1)),
        ..UserQuery::default()
    };
    assert!(names_of(&ctx, &m, later).await.is_empty());
    let earlier = UserQuery {
        created_until: Some(chrono::Utc::now() + chrono::Duration::days(1)),
        ..UserQuery::default()
    };
    assert_eq!(names_of(&ctx, &m, earlier).await.len(), 4);

    // Support sees masked addresses.
    let ctx = Ctx::at(&db, &support, now());
    let masked = find(&ctx, &m, "ada").await;
    assert_eq!(masked[0].email, "a•••@example.com");
    assert!(masked[0].email_masked);
}

async fn a_legacy_schema_is_searched_through_its_mapping(backend: Backend) {
    let t = TestDb::new(backend).await;
    members(&t).await;
    let (db, admin, _) = operators(&t).await;
    let m = Mapping::parse(LEGACY_MAPPING).unwrap();
    let ctx = Ctx::at(&db, &admin, now());
    let all = find(&ctx, &m, "").await;
    let keys: Vec<&str> = all.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(keys, ["M-1", "M-2", "M-3"]);
    let states: Vec<Option<&str>> = all.iter().map(|u| u.state.as_deref()).collect();
    assert_eq!(states, [Some("active"), Some("locked"), Some("disabled")]);
    assert_eq!(all[1].locked, Some(true));
    assert_eq!(all[1].name, "Bob");
    assert_eq!(all[0].verified, None, "the mapping has no verification");
    assert_eq!(find(&ctx, &m, "M-2").await[0].email, "bob@example.com");
    let page = search(&ctx, &m, &text(""), &PageRequest::first(2))
        .await
        .unwrap();
    let next = search(
        &ctx,
        &m,
        &text(""),
        &PageRequest {
            after: page.next,
            limit: Some(2),
        },
    )
    .await
    .unwrap();
    assert_eq!(next.items[0].key, "M-3");
    // Codes answer the status filter; what the mapping lacks is refused.
    let locked = UserQuery {
        status: Some(UserStatus::Locked),
        ..UserQuery::default()
    };
    let keys: Vec<String> = filtered(&ctx, &m, locked)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.key)
        .collect();
    assert_eq!(keys, ["M-2"]);
    let verified = UserQuery {
        verified: Some(true),
        ..UserQuery::default()
    };
    let err = filtered(&ctx, &m, verified).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "this back end keeps no email verification, so users cannot be filtered by verification"
    );
    // The card says what this back end does not keep.
    let c = card(&ctx, &m, " M-2 ").await.unwrap();
    assert_eq!(c.user.state.as_deref(), Some("locked"));
    assert_eq!((c.roles, c.sign_ins), (None, None));
    assert!(
        c.not_known
            .contains(&"no sign-in history: no login table".to_string()),
        "{:?}",
        c.not_known
    );
    assert_eq!(
        card(&ctx, &m, "M-9").await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

each_backend! {
    django => django_users_are_searched_with_what_axes_and_allauth_know,
    legacy => a_legacy_schema_is_searched_through_its_mapping,
}
