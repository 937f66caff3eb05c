//! The findings worklist, the outbox and the audit log as CSV, streamed
//! page by page with the same filters and permissions as their lists.
//! (Users and orders have their own exporters beside their searches.)

use std::io::Write;

use crate::audit::{self, AuditEntry, AuditFilter};
use crate::csv_out::{cell, stream_pages, time, Sink};
use crate::notify::{self, OutboxFilter, OutboxMessage};
use crate::progress::{CancelToken, ProgressSink};
use crate::session::Ctx;
use crate::validation::{self, Finding, FindingFilter};
use crate::Result;

pub async fn findings_csv(
    ctx: &Ctx<'_>,
    filter: &FindingFilter,
    out: &mut (dyn Write + Send),
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    let header = [
        "id",
        "rule_id",
        "entity_type",
        "entity_id",
        "detail",
        "status",
        "first_seen_at",
        "last_seen_at",
        "resolved_at",
        "accepted_by",
        "accepted_reason",
    ];
    let sink = Sink {
        out,
        progress,
        cancel,
    };
    let next = |page| async move { validation::list(ctx, filter, &page).await };
    stream_pages(sink, &header, "findings", next, |f: Finding| {
        vec![
            f.id.to_string(),
            f.rule_id,
            f.entity_type,
            f.entity_id.to_string(),
            cell(f.detail.as_deref().unwrap_or("")),
            f.status,
            f.first_seen_at.to_rfc3339(),
            f.last_seen_at.to_rfc3339(),
            time(f.resolved_at),
            cell(f.accepted_by.as_deref().unwrap_or("")),
            cell(f.accepted_reason.as_deref().unwrap_or("")),
        ]
    })
    .await
}

pub async fn outbox_csv(
    ctx: &Ctx<'_>,
    filter: &OutboxFilter,
    out: &mut (dyn Write + Send),
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    let header = [
        "id",
        "template",
        "user_key",
        "order_key",
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_by",
        "created_at",
        "sent_at",
    ];
    let sink = Sink {
        out,
        progress,
        cancel,
    };
    let next = |page| async move { notify::list(ctx, filter, &page).await };
    stream_pages(sink, &header, "outbox", next, |m: OutboxMessage| {
        vec![
            m.id.to_string(),
            m.template,
            cell(m.user_key.as_deref().unwrap_or("")),
            cell(m.order_key.as_deref().unwrap_or("")),
            cell(&m.recipient),
            cell(&m.subject),
            m.status.as_str().to_string(),
            m.attempts.to_string(),
            cell(m.last_error.as_deref().unwrap_or("")),
            cell(&m.created_by),
            m.created_at.to_rfc3339(),
            time(m.sent_at),
        ]
    })
    .await
}

pub async fn audit_csv(
    ctx: &Ctx<'_>,
    filter: &AuditFilter,
    out: &mut (dyn Write + Send),
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    let header = [
        "id",
        "at",
        "operator",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "after",
        "reason",
        "hash",
    ];
    let sink = Sink {
        out,
        progress,
        cancel,
    };
    let next = |page| async move { audit::list(ctx, filter, &page).await };
    let json = |v: Option<serde_json::Value>| v.map(|v| cell(&v.to_string())).unwrap_or_default();
    stream_pages(sink, &header, "audit entries", next, |a: AuditEntry| {
        vec![
            a.id.to_string(),
            a.at.to_rfc3339(),
            cell(&a.operator),
            a.action,
            a.entity_type,
            cell(&a.entity_id),
            json(a.before),
            json(a.after),
            cell(a.reason.as_deref().unwrap_or("")),
            a.hash,
        ]
    })
    .await
}
