//! The whole result of a user search as CSV, streamed page by page.

use std::io::Write;

use super::search::{cursor_after, fetch_rows};
use super::text_plan;
use super::{present, User, UserQuery};
use crate::csv_out::{cell, stream, time, Sink, BATCH};
use crate::operators::Permission;
use crate::page::{split, Cursor};
use crate::progress::{CancelToken, ProgressSink};
use crate::session::Ctx;
use crate::Result;

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

/// Writes every matching user to `out`; returns how many. Emails are
/// masked for operators who may not see them.
pub async fn export_csv(
    ctx: &Ctx<'_>,
    query: &UserQuery,
    out: &mut (dyn Write + Send),
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    ctx.require(Permission::ReadUsers)?;
    let sink = Sink {
        out,
        progress,
        cancel,
    };
    let plan = text_plan::for_export(ctx.db, query).await?;
    let next = |cursor: Option<Cursor>| async move {
        let rows = fetch_rows(ctx.db, query, cursor.as_ref(), BATCH, plan).await?;
        let (rows, after) = split(rows, BATCH, |r| cursor_after(query, r));
        Ok((present(ctx, rows).await?, after))
    };
    stream(sink, &HEADER, "users", next, |u: User| {
        vec![
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
        ]
    })
    .await
}
