//! The ids a rule flags, within a scope: what a sweep records and what a
//! guard compares before and after an edit.

use super::rules::{Check, Params, Rule, Scope};
use crate::db::{Query, Source};
use crate::progress::CancelToken;
use crate::Result;

/// Addresses read per page by the rules judged in Rust.
const EMAIL_PAGE: i64 = 5_000;

const CONTEXT: &str = "cannot evaluate a validation rule";

/// The records `r` flags among `scope`, in no particular order.
pub(crate) async fn flagged(
    src: &mut Source<'_>,
    r: &Rule,
    params: &Params,
    scope: &Scope<'_>,
    cancel: &CancelToken,
) -> Result<Vec<i64>> {
    let backend = src.backend();
    match &r.check {
        Check::Sql(sql) => {
            let rows: Vec<(i64,)> = src.fetch_all(&sql(backend, params, scope), CONTEXT).await?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        }
        Check::Emails { flags, candidates } => {
            let head = format!(
                "SELECT id, email, {} AS email_normalized FROM users WHERE {}",
                backend.text("email_normalized"),
                candidates.map_or("1 = 1".into(), |c| c(backend))
            );
            let judge = |rows: Vec<(i64, String, String)>| {
                rows.into_iter()
                    .filter(|(_, email, normalized)| flags(email, normalized))
                    .map(|(id, _, _)| id)
            };
            if let Scope::Ids(ids) = scope {
                let mut q = Query::new(head);
                q.sql(" AND id IN ").bind_list(ids.iter().copied());
                return Ok(judge(src.fetch_all(&q, CONTEXT).await?).collect());
            }
            // Every address, in id order, a page at a time.
            let (mut out, mut after) = (Vec::new(), 0i64);
            loop {
                cancel.check()?;
                let mut q = Query::new(head.as_str());
                q.sql(" AND id > ")
                    .bind(after)
                    .sql(format!(" ORDER BY id LIMIT {EMAIL_PAGE}"));
                let page: Vec<(i64, String, String)> = src.fetch_all(&q, CONTEXT).await?;
                let Some(last) = page.last() else { break };
                after = last.0;
                let full = page.len() as i64 == EMAIL_PAGE;
                out.extend(judge(page));
                if !full {
                    break;
                }
            }
            Ok(out)
        }
    }
}
