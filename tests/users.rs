//! User search, the trouble card, masking and CSV on every backend.

mod common;

use backoffice_core::db::Backend;
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::users::{
    export_csv, reveal_email, search, show, UserQuery, UserSort, UserStatus,
};
use backoffice_core::ErrorCode;
use backoffice_testkit::each_backend;
use common::{console, days, now, seven_users, t0, Console};

fn text(q: &str) -> UserQuery {
    UserQuery {
        text: q.into(),
        ..UserQuery::default()
    }
}

async fn ids(c: &Console, q: &UserQuery) -> Vec<i64> {
    let ctx = Ctx::at(&c.db, &c.admin, now());
    search(&ctx, q, &PageRequest::first(100))
        .await
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .items
        .iter()
        .map(|u| u.id)
        .collect()
}

/// Every page of a query, `size` rows at a time, following the cursors.
async fn walk(c: &Console, q: &UserQuery, size: u32) -> Vec<Vec<i64>> {
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = search(
            &ctx,
            q,
            &PageRequest {
                after: after.clone(),
                limit: Some(size),
            },
        )
        .await
        .unwrap();
        pages.push(page.items.iter().map(|u| u.id).collect());
        match page.next {
            Some(n) => after = Some(n),
            None => return pages,
        }
        assert!(pages.len() < 20, "cursor loop");
    }
}

async fn search_matches_substrings_ids_and_emails(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    // Email or name, any case; newest first, ties by id.
    assert_eq!(ids(&c, &text("ann")).await, [6, 3, 2, 1]);
    assert_eq!(ids(&c, &text("ANN")).await, [6, 3, 2, 1]);
    assert_eq!(ids(&c, &text("joanne")).await, [2]);
    // Exact id, even below three characters; digits also match text.
    assert_eq!(ids(&c, &text("7")).await, [7]);
    assert_eq!(ids(&c, &text("100")).await, [4]);
    // Exact email, whatever its case.
    assert_eq!(ids(&c, &text("Ann.Lee@EXAMPLE.com")).await, [1]);
    // %, _ and \ are characters like any other.
    assert_eq!(ids(&c, &text("0%_")).await, [4]);
    assert_eq!(ids(&c, &text(r"f\d")).await, [4]);
    assert!(ids(&c, &text("a_n")).await.is_empty());
    assert!(ids(&c, &text("a%n")).await.is_empty());
    // SQL is only text.
    assert!(ids(&c, &text("'; DROP TABLE users; --")).await.is_empty());
    assert!(ids(&c, &text("\" OR 1=1 --")).await.is_empty());
    assert_eq!(c.t.scalar("SELECT COUNT(*) FROM users").await, 7);
    // Empty: everyone.
    assert_eq!(ids(&c, &text("")).await, [6, 5, 7, 4, 3, 2, 1]);
    // Too short, too long: a clear error.
    let ctx = Ctx::at(&c.db, &c.admin, now());
    for q in ["ab".to_string(), "x".repeat(10_000)] {
        let err = search(&ctx, &text(&q), &PageRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    }
}

async fn search_filters(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let q = |f: fn(&mut UserQuery)| {
        let mut q = UserQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        ids(&c, &q(|q| q.status = Some(UserStatus::Locked))).await,
        [4]
    );
    assert_eq!(
        ids(&c, &q(|q| q.status = Some(UserStatus::Disabled))).await,
        [5]
    );
    assert_eq!(ids(&c, &q(|q| q.verified = Some(false))).await, [3]);
    assert_eq!(ids(&c, &q(|q| q.role = Some("vip".into()))).await, [1]);
    assert!(ids(&c, &q(|q| q.role = Some("staff".into())))
        .await
        .is_empty());
    let mut range = UserQuery {
        created_from: Some(t0() + days(1)),
        created_until: Some(t0() + days(2)),
        ..UserQuery::default()
    };
    assert_eq!(ids(&c, &range).await, [7, 4, 3, 2]);
    range.text = "ann".into();
    assert_eq!(ids(&c, &range).await, [3, 2]);
    // The first page carries the total.
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let page = search(&ctx, &UserQuery::default(), &PageRequest::first(2))
        .await
        .unwrap();
    let total = page.total.unwrap();
    assert_eq!((total.count, total.capped), (7, false));
}

async fn cursors_cross_ties_and_never_signed_in(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let all = UserQuery::default();
    assert_eq!(
        walk(&c, &all, 2).await,
        vec![vec![6, 5], vec![7, 4], vec![3, 2], vec![1]]
    );
    let oldest = UserQuery {
        oldest_first: true,
        ..UserQuery::default()
    };
    assert_eq!(
        walk(&c, &oldest, 3).await,
        vec![vec![1, 2, 3], vec![4, 7, 5], vec![6]]
    );
    // By last sign-in: the tie at t0+6d by id, then those who never
    // signed in, last, by id.
    let by_login = UserQuery {
        sort: UserSort::LastSignIn,
        ..UserQuery::default()
    };
    assert_eq!(
        walk(&c, &by_login, 2).await,
        vec![vec![3, 2], vec![1, 6], vec![7, 5], vec![4]]
    );
    let flat: Vec<i64> = walk(&c, &by_login, 1).await.concat();
    assert_eq!(flat, [3, 2, 1, 6, 7, 5, 4]);
    // A cursor from elsewhere is refused clearly.
    let ctx = Ctx::at(&c.db, &c.admin, now());
    let err = search(
        &ctx,
        &all,
        &PageRequest {
            after: Some("bm9wZQ".into()),
            limit: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
}

async fn support_sees_masked_emails_and_reveals_with_a_record(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let support = Ctx::at(&c.db, &c.support, now());
    let page = search(&support, &text("ann"), &PageRequest::default())
        .await
        .unwrap();
    let emails: Vec<&str> = page.items.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "d•••@example.com",
            "A•••@Example.org",
            "b•••@example.com",
            "a•••@example.com"
        ]
    );
    assert!(page.items.iter().all(|u| u.email_masked));
    let card = show(&support, "1").await.unwrap();
    assert_eq!(card.user.email, "a•••@example.com");
    // Revealing is allowed, and audited.
    let email = reveal_email(&support, 1, Some("customer on the phone"))
        .await
        .unwrap();
    assert_eq!(email, "ann.lee@example.com");
    let card = show(&support, "1").await.unwrap();
    let entry = &card.audit[0];
    assert_eq!(
        (entry.action.as_str(), entry.operator.as_str()),
        ("user.reveal_email", "sam")
    );
    assert_eq!(entry.reason.as_deref(), Some("customer on the phone"));
    // Admins see addresses as they are.
    let admin = Ctx::at(&c.db, &c.admin, now());
    let card = show(&admin, "1").await.unwrap();
    assert_eq!(card.user.email, "ann.lee@example.com");
    assert!(!card.user.email_masked);
}

async fn csv_streams_every_match(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let admin = Ctx::at(&c.db, &c.admin, now());
    let mut out = Vec::new();
    let n = export_csv(
        &admin,
        &UserQuery::default(),
        &mut out,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(n, 7);
    let csv = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 8);
    assert!(lines[0].starts_with("id,email,display_name,status"));
    assert!(csv.contains(r"100%_off\deal@shop.test"), "{csv}");
    // A name that a spreadsheet would run stays text.
    assert!(csv.contains(",'=2+3,"), "{csv}");
    let support = Ctx::at(&c.db, &c.support, now());
    let mut out = Vec::new();
    export_csv(
        &support,
        &text("ann"),
        &mut out,
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let masked = String::from_utf8(out).unwrap();
    assert!(!masked.contains("ann.lee@example.com"), "{masked}");
    assert_eq!(masked.lines().count(), 5);
}

each_backend! {
    search_text => search_matches_substrings_ids_and_emails,
    search_filtered => search_filters,
    search_cursors => cursors_cross_ties_and_never_signed_in,
    masking => support_sees_masked_emails_and_reveals_with_a_record,
    csv => csv_streams_every_match,
}
