//! The findings, outbox and audit lists as CSV on every backend: every row
//! of the filtered list, across page boundaries, with the same permissions
//! and masking as the lists.

use backoffice_core::db::Backend;
use backoffice_core::exports::{audit_csv, findings_csv, outbox_csv};
use backoffice_core::notify::{self, OutboxFilter, Policy, Template, Trigger};
use backoffice_core::operators::sign_in;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::secrets::Secret;
use backoffice_core::seed::{seed, SeedOptions, DEMO_OPERATOR_PASSWORD};
use backoffice_core::session::Ctx;
use backoffice_core::users::{self, UserAction};
use backoffice_core::validation::{run, FindingFilter, Params};
use backoffice_core::{audit::AuditFilter, ErrorCode};
use backoffice_testkit::{each_backend, TestDb};
use chrono::Utc;

fn rows(csv: &[u8]) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The whole unfiltered outbox as CSV rows, header left out.
async fn outbox_rows(ctx: &Ctx<'_>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let filter = OutboxFilter::default();
    outbox_csv(ctx, &filter, &mut out, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    rows(&out)
}

/// The whole unfiltered audit log as CSV rows, header left out.
async fn audit_rows(ctx: &Ctx<'_>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let filter = AuditFilter::default();
    audit_csv(ctx, &filter, &mut out, &NoProgress, &CancelToken::new())
        .await
        .unwrap();
    rows(&out)
}

async fn lists_export_whole(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    seed(
        &db,
        &SeedOptions::new(2_000, 1_000, 5),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let pass = Secret::new(DEMO_OPERATOR_PASSWORD);
    let admin = sign_in(&db, "admin", &pass, Utc::now()).await.unwrap();
    let support = sign_in(&db, "support", &pass, Utc::now()).await.unwrap();
    let ctx = Ctx::new(&db, &admin);
    let cancel = CancelToken::new();

    // Findings: more than one page of 1,000, flagging every unverified
    // account however new.
    t.exec("UPDATE users SET email_verified_at = NULL WHERE id <= 1500")
        .await;
    let params = Params {
        unverified_days: 0,
        ..Params::at(Utc::now())
    };
    run(&ctx, &[], &params, &NoProgress, &cancel).await.unwrap();
    let filter = FindingFilter {
        rule_id: Some("users.unverified_stale".into()),
        ..FindingFilter::default()
    };
    let open = t
        .scalar(
            "SELECT COUNT(*) FROM backoffice_findings WHERE status = 'open' \
             AND rule_id = 'users.unverified_stale'",
        )
        .await;
    let mut out = Vec::new();
    let n = findings_csv(&ctx, &filter, &mut out, &NoProgress, &cancel)
        .await
        .unwrap();
    let got = rows(&out);
    assert!(open > 1_000, "more than one page of findings ({open})");
    assert_eq!(n as i64, open);
    assert_eq!(got.len() as i64, open);
    let mut ids: Vec<&str> = got.iter().map(|r| r[0].as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "no row twice across pages");
    assert!(got.iter().all(|r| r[1] == "users.unverified_stale"));

    // Outbox: support sees the recipient masked, as in the list.
    let id = t
        .scalar("SELECT MIN(id) FROM users WHERE email_verified_at IS NULL AND status = 'active'")
        .await;
    notify::send(
        &ctx,
        &Policy::default(),
        Trigger::new(Template::VerifyEmail, id),
    )
    .await
    .unwrap();
    let email = users::show(&ctx, &id.to_string()).await.unwrap().user.email;
    assert_eq!(outbox_rows(&ctx).await[0][4], email);
    let as_support = Ctx::new(&db, &support);
    let masked = &outbox_rows(&as_support).await[0][4];
    assert_ne!(masked, &email);
    assert!(
        !masked.contains(email.split('@').next().unwrap()),
        "{masked}"
    );

    // Audit: before/after as JSON; a reason that looks like a formula stays
    // text; support may not read the log.
    let lock = UserAction::Lock {
        reason: "=cmd|' /C calc'!A0".into(),
        until: None,
    };
    let user = users::show(&ctx, "3").await.unwrap().user;
    users::apply(&ctx, 3, user.version, lock, None)
        .await
        .unwrap();
    let got = audit_rows(&ctx).await;
    let entry = got.iter().find(|r| r[3] == "user.lock").unwrap();
    assert!(entry[7].starts_with('{'), "after as JSON: {entry:?}");
    assert!(entry[7].contains("locked"), "{entry:?}");
    assert_eq!(entry[8], "'=cmd|' /C calc'!A0", "a formula stays text");
    let err = audit_csv(
        &as_support,
        &AuditFilter::default(),
        &mut Vec::new(),
        &NoProgress,
        &cancel,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);

    // Cancelled before the first page: nothing but an error.
    let stop = CancelToken::new();
    stop.cancel();
    assert!(
        findings_csv(&ctx, &filter, &mut Vec::new(), &NoProgress, &stop)
            .await
            .is_err()
    );
    db.close().await;
}

each_backend!(lists_export_whole_and_as_permitted => lists_export_whole);
