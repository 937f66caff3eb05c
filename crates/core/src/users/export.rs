//! The whole result of a user search as CSV, streamed page by page: memory
//! stays flat however many rows match.

use std::io::Write;

use super::search::{cursor_after, fetch_rows};
use super::{present, UserQuery};
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::{Error, Result};

const BATCH: u32 = 1_000;

const HEADER: [&str; 12] = [
    "id",
    "email",
    "display_name",
    "status",
    "email_verified_at",
    "roles",
    "failed_sign_ins",
    "locked_until",
    "lock_reason",
    "created_at",
    "last_sign_in_at",
    "version",
];

/// A spreadsheet runs a cell that starts with one of these as a formula;
/// a leading apostrophe keeps user-supplied text as text.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// Writes every matching user to `out`; returns how many. Emails are
/// masked for operators who may not see them.
pub async fn export_csv(
    ctx: &Ctx<'_>,
    query: &UserQuery,
    out: &mut dyn Write,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    ctx.require(Permission::ReadUsers)?;
    let io = |e: csv::Error| Error::Unavailable(format!("cannot write the CSV: {e}"));
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(HEADER).map_err(io)?;
    let mut cursor = None;
    let mut written = 0u64;
    loop {
        cancel.check()?;
        let mut rows = fetch_rows(ctx.db, query, cursor.as_ref(), BATCH).await?;
        let more = rows.len() > BATCH as usize;
        rows.truncate(BATCH as usize);
        cursor = rows.last().map(|r| cursor_after(query, r));
        for u in present(ctx, rows).await? {
            csv.write_record([
                u.id.to_string(),
                cell(&u.email),
                cell(&u.display_name),
                u.status,
                time(u.email_verified_at),
                u.roles.join(" "),
                u.failed_login_count.to_string(),
                time(u.locked_until),
                cell(u.lock_reason.as_deref().unwrap_or("")),
                u.created_at.to_rfc3339(),
                time(u.last_login_at),
                u.version.to_string(),
            ])
            .map_err(io)?;
            written += 1;
        }
        csv.flush()
            .map_err(|e| Error::Unavailable(format!("cannot write the CSV: {e}")))?;
        progress.report(Progress {
            stage: "users".into(),
            done: written,
            total: 0,
        });
        if !more {
            break;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_stay_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ada Lovelace"), "Ada Lovelace");
    }
}
