//! Attaching the console to a back end it did not create: the console's
//! tables go beside the back end's, in their own namespace, and nothing of
//! the back end's changes. Also the DDL handed to a DBA, and what a
//! read-only or unprivileged account is told. (The upgrade of the earlier
//! `admin_*` layout is in earlier_layout.rs.)

mod common;

use backoffice_core::db::{console_ddl, Backend, OpenOptions, SchemaStatus};
use backoffice_core::operators::{add_operator, sign_in, NewOperator, Role};
use backoffice_core::secrets::Secret;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::{as_trust, connect, now, PASSWORD};

/// A back end of someone else's making: a text primary key, a status kept
/// as a one-letter code, an index and a view of its own.
const LEGACY: [&str; 5] = [
    "CREATE TABLE members (member_code VARCHAR(20) NOT NULL PRIMARY KEY, \
     mail VARCHAR(254) NOT NULL, given_name VARCHAR(100), family_name VARCHAR(100), \
     state CHAR(1) NOT NULL DEFAULT 'A')",
    "CREATE INDEX members_mail ON members (mail)",
    "INSERT INTO members VALUES ('M-001', 'ada@example.com', 'Ada', 'Lovelace', 'A')",
    "INSERT INTO members VALUES ('M-002', 'bob@example.com', NULL, 'Builder', 'L')",
    "CREATE VIEW active_members AS SELECT member_code FROM members WHERE state = 'A'",
];

async fn legacy_back_end(backend: Backend) -> TestDb {
    let t = TestDb::new(backend).await;
    if backend == Backend::Sqlite {
        // The file must exist before the back end's DDL runs.
        t.exec("SELECT 1").await;
    }
    for sql in LEGACY {
        t.exec(sql).await;
    }
    t
}

/// The back end's schema and data as text, the console's tables left out.
async fn snapshot(t: &TestDb) -> Vec<String> {
    let schema = match t.backend {
        Backend::Sqlite => {
            "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master \
             WHERE tbl_name NOT LIKE 'backoffice%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             || ' ' || COALESCE(column_default, '') FROM information_schema.columns \
             WHERE table_schema = 'public' \
             UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
             UNION ALL SELECT 'schema ' || nspname FROM pg_namespace \
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'backoffice') \
             ORDER BY 1"
        }
        Backend::Mysql => {
            "SELECT CONCAT_WS(' ', table_name, column_name, column_type, is_nullable, \
             COALESCE(column_default, '')) FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name NOT LIKE 'backoffice\\_%' \
             UNION ALL SELECT CONCAT_WS(' ', table_name, index_name, column_name) \
             FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name NOT LIKE 'backoffice\\_%' \
             ORDER BY 1"
        }
    };
    let rows = match t.backend {
        Backend::Mysql => {
            "SELECT CONCAT_WS('|', member_code, mail, COALESCE(given_name, '-'), family_name, state) \
             FROM members ORDER BY member_code"
        }
        _ => {
            "SELECT member_code || '|' || mail || '|' || COALESCE(given_name, '-') || '|' \
             || family_name || '|' || state FROM members ORDER BY member_code"
        }
    };
    let mut all = t.texts(schema).await;
    all.extend(t.texts(rows).await);
    all
}

async fn attach_creates_only_the_console_tables(backend: Backend) {
    let t = legacy_back_end(backend).await;
    let before = snapshot(&t).await;
    assert!(before.len() >= 6, "{before:?}");

    // Opening it as the console does is refused, and says what to do.
    let err = t.open_with(OpenOptions::default()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("without the console's tables ("), "{msg}");
    assert!(msg.contains("members"), "{msg}");
    assert!(msg.contains("backoffice attach"), "{msg}");
    assert_eq!(snapshot(&t).await, before);

    let db = connect(&t, false).await;
    assert!(matches!(
        db.schema_status().await.unwrap(),
        SchemaStatus::NotAttached { .. }
    ));
    let report = db.attach().await.expect("attach");
    assert_eq!(
        report.applied,
        [
            "console 1 console tables",
            "console 2 console refunds",
            "console 3 console order notes",
            "console 4 outbox by order",
            "console 5 outbox channel",
            "console 6 outbox text keys"
        ],
        "{report:?}"
    );
    assert_eq!(
        db.schema_status().await.unwrap(),
        SchemaStatus::Current {
            version: report.version,
            demo: false
        }
    );
    // Again: nothing to do.
    assert!(db.attach().await.unwrap().applied.is_empty());
    db.close().await;
    assert_eq!(snapshot(&t).await, before, "the back end changed");

    // The console's tables are where they belong.
    let ours = match backend {
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'backoffice' AND tablename LIKE 'backoffice\\_%'"
        }
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'backoffice\\_%' ESCAPE '\\'"
        }
        Backend::Mysql => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'backoffice\\_%'"
        }
    };
    assert_eq!(
        t.scalar(ours).await,
        12,
        "eleven console tables and the record of migrations"
    );

    // Now it opens, and the console's own work (operators, sign-in, the
    // audited first operator) runs beside the back end.
    let db = t.open().await;
    let first = NewOperator {
        username: "alice".into(),
        role: Role::Admin,
        password: Secret::new(PASSWORD),
    };
    add_operator(&db, None, first, now())
        .await
        .expect("first operator");
    sign_in(&db, "alice", &Secret::new(PASSWORD), now())
        .await
        .expect("sign in");
    db.close().await;
    assert_eq!(snapshot(&t).await, before, "the back end changed");
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM backoffice_operators").await,
        1
    );
}

async fn schema_sql_is_what_attach_runs(backend: Backend) {
    let t = legacy_back_end(backend).await;
    let before = snapshot(&t).await;
    let sql = console_ddl(backend);
    assert!(sql.contains("backoffice_audit_log"), "{sql}");
    // An administrator runs the printed statements by hand.
    t.exec(&sql).await;
    assert_eq!(snapshot(&t).await, before);
    let db = connect(&t, false).await;
    assert!(matches!(
        db.schema_status().await.unwrap(),
        SchemaStatus::Current { demo: false, .. }
    ));
    assert!(
        db.attach().await.unwrap().applied.is_empty(),
        "recorded as applied"
    );
    db.close().await;
    // The read-only profile works once the DBA has run it.
    let ro = t
        .open_with(OpenOptions {
            read_only: true,
            create_if_missing: false,
        })
        .await
        .expect("read-only open after the DBA ran the DDL");
    ro.close().await;
}

async fn read_only_profiles_are_told_to_attach(backend: Backend) {
    let t = legacy_back_end(backend).await;
    let ro = OpenOptions {
        read_only: true,
        create_if_missing: false,
    };
    let err = t.open_with(ro).await.unwrap_err();
    assert!(err.to_string().contains("backoffice attach"), "{err}");
    let db = connect(&t, true).await;
    let err = db.attach().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    db.close().await;
    assert_eq!(t.scalar(match backend {
        Backend::Postgres => "SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'backoffice'",
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'backoffice%'",
        Backend::Mysql => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'backoffice%'",
    }).await, 0);
}

each_backend! {
    attach_only_ours => attach_creates_only_the_console_tables,
    schema_sql => schema_sql_is_what_attach_runs,
    read_only => read_only_profiles_are_told_to_attach,
}

/// An account that may not create tables gets the DDL route, and nothing is
/// half-made. (PostgreSQL 15 lets only a database's owner create schemas.)
#[tokio::test]
async fn an_account_without_ddl_rights_is_sent_to_schema_sql() {
    let t = legacy_back_end(Backend::Postgres).await;
    t.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO backoffice_trust")
        .await;
    let db = as_trust(&t).await;
    let err = db.attach().await.unwrap_err();
    db.close().await;
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("backoffice schema sql"), "{msg}");
    assert!(msg.contains("permission denied"), "{msg}");
    assert_eq!(
        t.scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'backoffice'")
            .await,
        0
    );
}
