//! What PostgreSQL's trigram index is asked for when searching a mapped
//! users table.
//!
//! The index answers `LIKE '%text%'` by reading the list of rows that hold
//! each of the text's trigrams, and a trigram that most rows share costs a
//! read of most of the index: `john.smith@gmail.com` shares `gma`, `ail`
//! and `com` with every Gmail user, and on a million generated users every
//! local part starts with `use` (docs/BENCHMARKS.md). So the index is asked
//! only for the pieces of the text made of trigrams that few rows share,
//! learnt from a small sample of the table, and the whole text is still
//! required by a test the index does not serve (`STRPOS`): the answer is
//! exact whatever the sample says.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::sql::Sql;
use crate::db::{Db, Query};
use crate::mapping::UserMap;
use crate::Result;

/// Rows sampled to learn which trigrams are common.
const SAMPLE_ROWS: i64 = 2_000;
/// Fewer sampled rows than this say too little: the text is searched as
/// it is.
const MIN_SAMPLE: usize = 200;
/// A trigram held by more than this share of the sampled rows is common.
const COMMON: f64 = 0.05;
/// How long a sample stands for its table.
const FRESH: Duration = Duration::from_secs(15 * 60);

/// How often each trigram occurs in a sample of one text column: the rows
/// (out of `rows`) holding it at least once.
#[derive(Debug, Default)]
pub(super) struct Trigrams {
    rows: usize,
    held: HashMap<[char; 3], u32>,
}

impl Trigrams {
    /// Counts the trigrams of sampled values (already lowercased).
    pub(super) fn of<'a>(values: impl IntoIterator<Item = &'a str>) -> Trigrams {
        let mut t = Trigrams::default();
        for v in values {
            t.rows += 1;
            let seen: HashSet<[char; 3]> = windows(v).into_iter().map(|(_, w)| w).collect();
            for w in seen {
                *t.held.entry(w).or_default() += 1;
            }
        }
        t
    }

    fn rare(&self, w: &[char; 3]) -> bool {
        let held = self.held.get(w).copied().unwrap_or(0);
        f64::from(held) <= COMMON * self.rows as f64
    }
}

/// The trigrams pg_trgm takes from a text, with where each starts: three
/// letters or digits in a row (it splits words at anything else).
fn windows(text: &str) -> Vec<(usize, [char; 3])> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w.iter().all(|c| c.is_alphanumeric()))
        .map(|(i, w)| (i, [w[0], w[1], w[2]]))
        .collect()
}

/// The pattern to ask the index for, for a lowercased search text: the
/// runs of rare trigrams, in order, each a substring of the text, joined
/// by `%` (`'%r500000%'` for `user500000.hill@example.net` where every
/// address starts with `user` and ends with `@example.net`). `None` when
/// nothing is rare, the sample is too small, or the pattern would be the
/// whole text anyway: then the text is searched as it is.
pub(super) fn pattern(lower: &str, sample: &Trigrams) -> Option<String> {
    let chars: Vec<char> = lower.chars().collect();
    if chars.len() < 4 || sample.rows < MIN_SAMPLE {
        return None;
    }
    // Runs as [start, end) over the text's chars.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (at, w) in windows(lower) {
        if !sample.rare(&w) {
            continue;
        }
        match runs.last_mut() {
            // The next trigram of the run: it grows by one letter.
            Some((_, end)) if at + 2 == *end => *end += 1,
            // Overlapping the run without following it: the run's own
            // trigrams already narrow as much.
            Some((_, end)) if at < *end => {}
            _ => runs.push((at, at + 3)),
        }
    }
    if runs.is_empty() || runs == [(0, chars.len())] {
        return None;
    }
    let mut p = String::from("%");
    for (start, end) in runs {
        p.extend(&chars[start..end]);
        p.push('%');
    }
    Some(p)
}

/// The trigram counts of a users table's email and display name, sampled
/// once per table and kept for [`FRESH`].
pub(super) struct Sample {
    pub email: Trigrams,
    pub name: Trigrams,
}

type Cache = Mutex<HashMap<String, (Instant, Arc<Sample>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The sample of this PostgreSQL users table, read now if none is fresh.
pub(super) async fn sample(db: &Db, s: &Sql, u: &UserMap) -> Result<Arc<Sample>> {
    let key = format!("{}\u{1f}{}\u{1f}{}", db.label(), u.table, s.name(u));
    if let Some((at, sample)) = cache().lock().expect("sample cache").get(&key) {
        if at.elapsed() < FRESH {
            return Ok(sample.clone());
        }
    }
    let sample = Arc::new(read(db, s, u).await?);
    cache()
        .lock()
        .expect("sample cache")
        .insert(key, (Instant::now(), sample.clone()));
    Ok(sample)
}

/// Drops every sample read, so the next search reads one again (after the
/// search indexes were built).
pub(super) fn forget() {
    cache().lock().expect("sample cache").clear();
}

async fn read(db: &Db, s: &Sql, u: &UserMap) -> Result<Sample> {
    // Without the trigram index a narrower pattern saves nothing: no
    // sample is read, and the search asks for the whole text.
    if !super::indexes::trigram_in_place(db, u).await? {
        return Ok(Sample {
            email: Trigrams::default(),
            name: Trigrams::default(),
        });
    }
    let what = "cannot sample the back end's users";
    let mut q = Query::new("SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = CAST(");
    q.bind(s.q(&u.table)).sql(" AS regclass)");
    let (estimate,): (i64,) = db.fetch_one(&q, what).await?;
    // Pages picked at random to hold about SAMPLE_ROWS rows (twice that,
    // as pages vary); the whole table while it is small or never analysed.
    let percent = if estimate > 2 * SAMPLE_ROWS {
        (200.0 * SAMPLE_ROWS as f64 / estimate as f64).min(100.0)
    } else {
        100.0
    };
    let q = Query::new(format!(
        "SELECT LOWER({}), LOWER({}) FROM {} u TABLESAMPLE SYSTEM ({percent:.6}) LIMIT {SAMPLE_ROWS}",
        s.u(&u.email),
        s.name(u),
        s.q(&u.table)
    ));
    let rows: Vec<(Option<String>, Option<String>)> = db.fetch_all(&q, what).await?;
    Ok(Sample {
        email: Trigrams::of(rows.iter().filter_map(|r| r.0.as_deref())),
        name: Trigrams::of(rows.iter().filter_map(|r| r.1.as_deref())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sample of the benchmark's generated addresses: numbers spread
    /// over a million users.
    fn generated() -> Trigrams {
        let values: Vec<String> = (0..2000usize)
            .map(|i| {
                let n = i * 7919 % 1_000_000 + 1;
                format!("user{n}.{}@example.net", ["hill", "kim", "ng"][i % 3])
            })
            .collect();
        Trigrams::of(values.iter().map(String::as_str))
    }

    #[test]
    fn asks_for_what_tells_rows_apart() {
        let t = generated();
        // Every local part starts with "user", one in ninety numbers with
        // "50": the domain and the prefix are left to STRPOS.
        assert_eq!(
            pattern("user500000.hill@example.net", &t).as_deref(),
            Some("%r500000%")
        );
        assert_eq!(pattern("r500000.h", &t).as_deref(), Some("%r500000%"));
        assert_eq!(pattern("user123456", &t).as_deref(), Some("%r123456%"));
    }

    #[test]
    fn searches_as_it_is_when_nothing_narrows() {
        let t = generated();
        // Every trigram common.
        assert_eq!(pattern("user", &t), None);
        assert_eq!(pattern("example.net", &t), None);
        // All rare and the whole text: the plain pattern already is it.
        assert_eq!(pattern("zqxw", &t), None);
        // Too short for the index to narrow with.
        assert_eq!(pattern("zqx", &t), None);
    }

    #[test]
    fn keeps_rare_runs_in_order() {
        let t = generated();
        assert_eq!(
            pattern("john.smith@example.net", &t).as_deref(),
            Some("%john%smith%")
        );
        // A common trigram between rare ones splits the run.
        assert_eq!(pattern("zqxuserzqx", &t).as_deref(), Some("%zqxus%erzqx%"));
    }

    #[test]
    fn too_small_a_sample_says_nothing() {
        let values = ["a@b.c", "dd@e.f"];
        let t = Trigrams::of(values);
        assert_eq!(pattern("john.smith@example.net", &t), None);
    }

    #[test]
    fn counts_rows_not_occurrences() {
        let t = Trigrams::of(["aaaaaa", "bbb"]);
        assert_eq!(t.rows, 2);
        assert_eq!(t.held.get(&['a', 'a', 'a']), Some(&1));
        assert_eq!(t.held.get(&['b', 'b', 'b']), Some(&1));
    }
}
