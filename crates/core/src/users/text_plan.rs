//! How a search text reads SQLite's trigram index. A narrow text (few
//! matches) is answered fastest from the index's matches, sorted; a broad
//! one ("exa" matches most addresses) by walking users in page order and
//! testing each row, which stops after a page.
//!
//! The walk tests an ASCII text with `LIKE '%text%'` on the row itself
//! (ASCII case folding, as the index folds ASCII; a few microseconds a
//! row), and any other text by asking the index about the row (FTS5
//! folds Unicode case, which LIKE does not; up to a millisecond a row for
//! long texts of common trigrams). Both plans return the same rows.

use super::UserQuery;
use crate::db::dialect::{fts_phrase, like_escape};
use crate::db::{Backend, Db, Query};
use crate::page::{Total, COUNT_CAP};
use crate::Result;

/// The most matches counted to decide; past this a text is broad however
/// many users there are.
const PLAN_CAP: i64 = 50_000;
/// What testing one row costs in a walk, against reading one match from
/// the index (1M users, warm: about 5 µs a match; LIKE about the same a
/// row, an FTS5 probe up to 35 times more; docs/BENCHMARKS.md).
const LIKE_COST: f64 = 1.0;
const PROBE_COST: f64 = 35.0;
/// Rows a page needs (one more than shown, to know there is a next).
const PAGE_ROWS: f64 = 51.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextPlan {
    /// `u.id IN (matches)`: read every match, then sort.
    Matches,
    /// `EXISTS (match for this row)`: walk users in page order.
    Probe,
}

/// The per-row condition for `needle` (the set form is
/// `Backend::push_contains`).
pub(super) fn push_probe(q: &mut Query, needle: &str) {
    if needle.is_ascii() {
        let pattern = format!("%{}%", like_escape(needle));
        q.sql("(u.email LIKE ")
            .bind(pattern.clone())
            .sql(" ESCAPE '!' OR u.display_name LIKE ")
            .bind(pattern)
            .sql(" ESCAPE '!')");
    } else {
        q.sql(
            "EXISTS (SELECT 1 FROM backoffice_user_search f WHERE f.rowid = u.id \
             AND f.backoffice_user_search MATCH ",
        )
        .bind(fts_phrase(needle))
        .sql(")");
    }
}

/// The match count above which walking is cheaper. Reading costs one per
/// match; a walk tests about PAGE_ROWS / density rows (density = matches /
/// users) at `cost` each. They are equal at matches² = cost · PAGE_ROWS ·
/// users.
fn broad_above(users: i64, ascii: bool) -> i64 {
    let cost = if ascii { LIKE_COST } else { PROBE_COST };
    ((cost * PAGE_ROWS * users.max(1) as f64).sqrt() as i64).min(PLAN_CAP)
}

/// How many matches to count: enough for the total (which stops at
/// COUNT_CAP) and to know whether the text is broad.
fn count_limit(users: i64, ascii: bool) -> i64 {
    broad_above(users, ascii).max(COUNT_CAP as i64) + 1
}

fn is_broad(matches: i64, users: i64, ascii: bool) -> bool {
    matches > broad_above(users, ascii)
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
    let (users,): (Option<i64>,) = db
        .fetch_one(
            &Query::new("SELECT MAX(id) FROM users"),
            "cannot search users",
        )
        .await?;
    let users = users.unwrap_or(0);
    let mut q = Query::new(
        "SELECT COUNT(*) FROM (SELECT rowid FROM backoffice_user_search WHERE backoffice_user_search MATCH ",
    );
    q.bind(fts_phrase(text))
        .sql(format!(" LIMIT {}) m", count_limit(users, text.is_ascii())));
    let (matches,): (i64,) = db.fetch_one(&q, "cannot search users").await?;
    let plan = if is_broad(matches, users, text.is_ascii()) {
        TextPlan::Probe
    } else {
        TextPlan::Matches
    };
    // An id or an exact address adds matches of its own; otherwise the
    // index's count is the answer.
    let alone = !text.bytes().all(|b| b.is_ascii_digit()) && !text.contains('@');
    let total = alone.then(|| Total::from_capped(matches.max(0) as u64));
    debug_assert!(count_limit(users, text.is_ascii()) as u64 > COUNT_CAP);
    Ok((plan, total))
}

/// The plan for reading every match, page after page (CSV export): a
/// broad ASCII text walks the users once across all pages; anything else
/// reads the matches for each page (for a broad non-ASCII text still
/// cheaper than asking the index about every user).
pub(super) async fn for_export(db: &Db, query: &UserQuery) -> Result<TextPlan> {
    let (plan, _) = choose(db, query).await?;
    Ok(match plan {
        TextPlan::Probe if query.text.trim().is_ascii() => TextPlan::Probe,
        _ => TextPlan::Matches,
    })
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
    fn broad_texts_are_walked() {
        // 1M users, ASCII: counted to 10,001 for the total; broad above
        // ~7,100 ("smith", ~40k matches, is walked; 3,911 are read).
        assert_eq!(count_limit(1_000_000, true), 10_001);
        assert_eq!(broad_above(1_000_000, true), 7_141);
        assert!(is_broad(10_001, 1_000_000, true));
        assert!(!is_broad(3_911, 1_000_000, true));
        // A non-ASCII text is probed through the index, dearer per row:
        // counted further, broad above ~42,000.
        assert_eq!(count_limit(1_000_000, false), 42_250);
        assert!(!is_broad(40_000, 1_000_000, false));
        assert!(is_broad(PLAN_CAP + 1, 100_000_000, false));
        assert!(!is_broad(0, 0, true));
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
        let mut found = Vec::new();
        for text in [
            "exa",
            "example.org",
            "son",
            "ZZZ-none",
            "MÜL",
            "müller",
            "a_b",
            "50%",
        ] {
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
                if !set.is_empty() && !found.contains(&text) {
                    found.push(text);
                }
                let Some(last) = set.get(49) else { break };
                cursor = Some(super::super::search::cursor_after(&query, last));
            }
        }
        // Both ASCII and non-ASCII texts found something to compare.
        assert!(
            found.contains(&"exa") && found.contains(&"son"),
            "{found:?}"
        );
        assert!(found.contains(&"müller"), "{found:?}");
        // Export walks a broad ASCII text once, and reads the matches of
        // anything else.
        let text = |t: &str| UserQuery {
            text: t.into(),
            ..UserQuery::default()
        };
        assert_eq!(
            for_export(&db, &text("exa")).await.unwrap(),
            TextPlan::Probe
        );
        assert_eq!(
            for_export(&db, &text("ZZZ-none")).await.unwrap(),
            TextPlan::Matches
        );
        db.close().await;
    }
}
