//! The ids a rule flags, within a scope: what a sweep records and what a
//! guard compares before and after an edit.

use std::collections::{HashMap, HashSet};

use super::rules::{Check, Params, Rule, Scope};
use crate::db::{Query, Source};
use crate::progress::CancelToken;
use crate::Result;

/// Addresses read per page by the rules judged in Rust.
const EMAIL_PAGE: i64 = 5_000;

const CONTEXT: &str = "cannot evaluate a validation rule";

type UserEmail = (i64, String, String);

/// (id, email, email_normalized) of the users matching `filter`, in id
/// order: those in the scope at once, or every one a page at a time.
async fn users(
    src: &mut Source<'_>,
    filter: &str,
    scope: &Scope<'_>,
    cancel: &CancelToken,
    mut each: impl FnMut(Vec<UserEmail>),
) -> Result<()> {
    let head = format!(
        "SELECT id, email, {} AS email_normalized FROM users WHERE {filter}",
        src.backend().text("email_normalized")
    );
    if let Scope::Ids(ids) = scope {
        let mut q = Query::new(head);
        q.sql(" AND id IN ").bind_list(ids.iter().copied());
        each(src.fetch_all(&q, CONTEXT).await?);
        return Ok(());
    }
    let mut after = 0i64;
    loop {
        cancel.check()?;
        let mut q = Query::new(head.as_str());
        q.sql(" AND id > ")
            .bind(after)
            .sql(format!(" ORDER BY id LIMIT {EMAIL_PAGE}"));
        let page: Vec<UserEmail> = src.fetch_all(&q, CONTEXT).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let full = page.len() as i64 == EMAIL_PAGE;
        each(page);
        if !full {
            return Ok(());
        }
    }
    Ok(())
}

/// The records `r` flags among `scope`, in no particular order.
pub(crate) async fn flagged(
    src: &mut Source<'_>,
    r: &Rule,
    params: &Params,
    scope: &Scope<'_>,
    cancel: &CancelToken,
) -> Result<Vec<i64>> {
    let backend = src.backend();
    let ids_of = |rows: Vec<(i64,)>| rows.into_iter().map(|(id,)| id);
    match &r.check {
        Check::Sql(sql) => {
            Ok(ids_of(src.fetch_all(&sql(backend, params, scope), CONTEXT).await?).collect())
        }
        Check::Emails { flags, candidates } => {
            let filter = candidates.map_or("1 = 1".into(), |c| c(backend));
            let mut out = Vec::new();
            users(src, &filter, scope, cancel, |rows| {
                out.extend(
                    rows.into_iter()
                        .filter(|(_, email, normalized)| flags(email, normalized))
                        .map(|(id, _, _)| id),
                )
            })
            .await?;
            Ok(out)
        }
        Check::Duplicates { sql, key } => {
            let mut out: Vec<i64> =
                ids_of(src.fetch_all(&sql(backend, params, scope), CONTEXT).await?).collect();
            let others = format!("NOT ({})", backend.is_ascii("email"));
            // For a scope, only the groups of its own non-ASCII addresses.
            let mut wanted: Option<HashSet<String>> = None;
            if let Scope::Ids(_) = scope {
                let mut keys = HashSet::new();
                users(src, &others, scope, cancel, |rows| {
                    keys.extend(rows.iter().map(|(_, email, _)| key(email)))
                })
                .await?;
                if keys.is_empty() {
                    return Ok(out);
                }
                wanted = Some(keys);
            }
            // key → (oldest id, how many)
            let mut groups: HashMap<String, (i64, u32)> = HashMap::new();
            users(src, &others, &Scope::All, cancel, |rows| {
                for (id, email, _) in rows {
                    let k = key(&email);
                    if wanted.as_ref().is_some_and(|w| !w.contains(&k)) {
                        continue;
                    }
                    let g = groups.entry(k).or_insert((id, 0));
                    g.0 = g.0.min(id);
                    g.1 += 1;
                }
            })
            .await?;
            out.extend(groups.into_values().filter(|g| g.1 > 1).map(|g| g.0));
            Ok(out)
        }
    }
}
