//! How a search text reads SQLite's trigram index. A narrow text (few
//! matches) is answered fastest from the index's matches, sorted; a broad
//! one ("exa" matches most addresses) by walking users in page order and
//! asking the index about each row, which stops after a page. Both ask
//! the index the same question, so they return the same rows.

use super::UserQuery;
use crate::db::dialect::fts_phrase;
use crate::db::{Backend, Db, Query};
use crate::page::{Total, COUNT_CAP};
use crate::Result;

/// Matches counted to choose a plan; more means a broad text.
const PLAN_CAP: i64 = 50_000;
/// Per row, probing the index costs about this many times what reading one
/// match from it does (measured on 1M users; see docs/BENCHMARKS.md).
const PROBE_COST: i64 = 35;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextPlan {
    /// `u.id IN (matches)`: read every match, then sort.
    Matches,
    /// `EXISTS (match for this row)`: walk users in page order.
    Probe,
}

/// The per-row FTS5 condition for `needle` (the set form is
/// `Backend::push_contains`).
pub(super) fn push_probe(q: &mut Query, needle: &str) {
    q.sql(
        "EXISTS (SELECT 1 FROM admin_user_search f WHERE f.rowid = u.id \
         AND f.admin_user_search MATCH ",
    )
    .bind(fts_phrase(needle))
    .sql(")");
}

/// Probing costs PROBE_COST per row and walks about page / density rows
/// (density = matches / users); reading costs one per match. So probe when
/// matches² > PROBE_COST · page · users, or when there are too many to count.
fn is_broad(matches: i64, users: i64) -> bool {
    matches > PLAN_CAP || matches.saturating_mul(matches) > PROBE_COST * 51 * users.max(1)
}

/// A query whose only filter is a substring: what the plan can answer
/// without another query.
fn text_only(query: &UserQuery) -> Option<&str> {
    let bare = query.status.is_none()
        && query.verified.is_none()
        && query.role.is_none()
        && query.created_from.is_none()
        && query.created_until.is_none();
    let text = query.text.trim();
    (bare && text.chars().count() >= super::search::MIN_SUBSTRING_CHARS).then_some(text)
}

/// The plan for this query and, when the index alone decides it, the
/// capped total. Other backends (and queries with more filters) read the
/// matches as before and count separately.
pub(super) async fn choose(db: &Db, query: &UserQuery) -> Result<(TextPlan, Option<Total>)> {
    let Some(text) = text_only(query).filter(|_| db.backend() == Backend::Sqlite) else {
        return Ok((TextPlan::Matches, None));
    };
    let mut q = Query::new(
        "SELECT COUNT(*) FROM (SELECT rowid FROM admin_user_search WHERE admin_user_search MATCH ",
    );
    q.bind(fts_phrase(text))
        .sql(format!(" LIMIT {}) m", PLAN_CAP + 1));
    let (matches,): (i64,) = db.fetch_one(&q, "cannot search users").await?;
    let (users,): (Option<i64>,) = db
        .fetch_one(
            &Query::new("SELECT MAX(id) FROM users"),
            "cannot search users",
        )
        .await?;
    let plan = if is_broad(matches, users.unwrap_or(0)) {
        TextPlan::Probe
    } else {
        TextPlan::Matches
    };
    // An id or an exact address adds matches of its own; otherwise the
    // index's count is the answer.
    let alone = !text.bytes().all(|b| b.is_ascii_digit()) && !text.contains('@');
    let total = alone.then(|| Total::from_capped(matches.max(0) as u64));
    debug_assert!(PLAN_CAP as u64 > COUNT_CAP);
    Ok((plan, total))
}

#[cfg(test)]
mod tests {
    use super::super::search::fetch_rows;
    use super::*;
    use crate::db::{OpenOptions, Target};
    use crate::page::Cursor;
    use crate::progress::{CancelToken, NoProgress};
    use crate::seed::{seed, SeedOptions};

    #[test]
    fn broad_texts_are_probed() {
        // 1M users: "exa" (~600k matches) is probed, "smith" (~5k) read.
        assert!(is_broad(PLAN_CAP + 1, 1_000_000));
        assert!(is_broad(45_000, 1_000_000));
        assert!(!is_broad(5_000, 1_000_000));
        assert!(!is_broad(0, 0));
    }

    /// Both plans return the same rows in the same order, page after page.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_plans_agree() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(
            &Target::sqlite_file(&dir.path().join("plans.db")),
            OpenOptions {
                read_only: false,
                create_if_missing: true,
            },
        )
        .await
        .unwrap();
        seed(
            &db,
            &SeedOptions::new(2_000, 100, 9),
            &NoProgress,
            &CancelToken::new(),
        )
        .await
        .unwrap();
        for text in ["exa", "example.org", "son", "ZZZ-none"] {
            let query = UserQuery {
                text: text.into(),
                ..UserQuery::default()
            };
            let mut cursor: Option<Cursor> = None;
            for _ in 0..3 {
                let page = |plan| fetch_rows(&db, &query, cursor.as_ref(), 50, plan);
                let set = page(TextPlan::Matches).await.unwrap();
                let probed = page(TextPlan::Probe).await.unwrap();
                let ids =
                    |rows: &[super::super::UserRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
                assert_eq!(ids(&set), ids(&probed), "{text}");
                let Some(last) = set.get(49) else { break };
                cursor = Some(super::super::search::cursor_after(&query, last));
            }
        }
        db.close().await;
    }
}
