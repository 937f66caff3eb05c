//! Attaching the console to a back end it did not create: the console's
//! tables go beside the back end's, in their own namespace, and nothing of
//! the back end's changes. Also the DDL handed to a DBA, the upgrade of the
//! earlier `admin_*` layout, and what a read-only or unprivileged account
//! is told.

mod common;

use backoffice_core::db::{console_ddl, Backend, Db, OpenOptions, SchemaStatus};
use backoffice_core::operators::{add_operator, sign_in, NewOperator, Role};
use backoffice_core::secrets::Secret;
use backoffice_core::ErrorCode;
use backoffice_testkit::{each_backend, TestDb};
use common::{as_trust, console, now, seven_users, PASSWORD};

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

async fn connect(t: &TestDb, read_only: bool) -> Db {
    let options = OpenOptions {
        read_only,
        create_if_missing: false,
    };
    Db::connect(&t.target(), options).await.expect("connect")
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

/// A demo database made by the earlier layout: the console's tables named
/// `admin_*` beside the reference schema, recorded in `_sqlx_migrations`.
/// Built here from a current one by undoing the move.
async fn make_legacy(t: &TestDb) {
    let tables = [
        "operators",
        "sign_in_attempts",
        "audit_log",
        "audit_head",
        "validation_runs",
        "findings",
        "outbox",
        "outbox_keys",
        "outbox_attempts",
    ];
    let mut sql: Vec<String> = Vec::new();
    // The earlier layout had no index of the outbox by order, no channel
    // and integer keys only.
    for index in ["order_idx", "user_key_idx", "order_key_idx"] {
        sql.push(match t.backend {
            Backend::Postgres => format!("DROP INDEX backoffice.backoffice_outbox_{index}"),
            Backend::Sqlite => format!("DROP INDEX backoffice_outbox_{index}"),
            Backend::Mysql => format!("DROP INDEX backoffice_outbox_{index} ON backoffice_outbox"),
        });
    }
    for column in ["channel", "user_key", "order_key"] {
        let table = match t.backend {
            Backend::Postgres => "backoffice.backoffice_outbox",
            _ => "backoffice_outbox",
        };
        sql.push(format!("ALTER TABLE {table} DROP COLUMN {column}"));
    }
    for name in tables {
        sql.push(match t.backend {
            Backend::Postgres => format!(
                "ALTER TABLE backoffice.backoffice_{name} RENAME TO admin_{name}; \
                 ALTER TABLE backoffice.admin_{name} SET SCHEMA public"
            ),
            Backend::Sqlite => format!("ALTER TABLE backoffice_{name} RENAME TO admin_{name}"),
            Backend::Mysql => format!("RENAME TABLE backoffice_{name} TO admin_{name}"),
        });
    }
    if t.backend == Backend::Sqlite {
        sql.push("ALTER TABLE backoffice_user_search RENAME TO admin_user_search".into());
    }
    // The earlier layout kept no refunds or notes of its own.
    for name in ["refunds", "order_notes"] {
        sql.push(match t.backend {
            Backend::Postgres => format!("DROP TABLE backoffice.backoffice_{name}"),
            _ => format!("DROP TABLE backoffice_{name}"),
        });
    }
    sql.push("DROP TABLE backoffice_migrations".into());
    if t.backend == Backend::Postgres {
        sql.push("DROP SCHEMA backoffice".into());
    }
    let bool_true = if t.backend == Backend::Sqlite {
        "1"
    } else {
        "TRUE"
    };
    sql.push(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         success BOOLEAN NOT NULL)"
            .into(),
    );
    for v in 1..=8 {
        sql.push(format!(
            "INSERT INTO _sqlx_migrations VALUES ({v}, 'earlier {v}', {bool_true})"
        ));
    }
    // A message the earlier layout queued, keyed by integers.
    sql.push(
        "INSERT INTO admin_outbox (uid, template, user_id, order_id, recipient, subject, \
         vars_json, idempotency_key, status, due_at, created_by, created_at, updated_at) VALUES \
         ('u1', 'order_status', 3, 4, 'ann@example.com', 'Hello', '{}', 'k1', 'sent', \
         '2026-01-01 10:00:00', 'alice', '2026-01-01 10:00:00', '2026-01-01 10:00:00')"
            .into(),
    );
    for s in sql {
        t.exec(&s).await;
    }
}

async fn the_earlier_layout_is_upgraded_in_place(backend: Backend) {
    let c = console(backend).await;
    seven_users(&c.t).await;
    let operators =
        c.t.scalar("SELECT COUNT(*) FROM backoffice_operators")
            .await;
    let audit =
        c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log")
            .await;
    assert!(audit >= 1);
    c.db.close().await;
    make_legacy(&c.t).await;

    let db = connect(&c.t, false).await;
    assert_eq!(db.schema_status().await.unwrap(), SchemaStatus::Legacy);
    db.close().await;
    let ro = OpenOptions {
        read_only: true,
        create_if_missing: false,
    };
    let err = c.t.open_with(ro).await.unwrap_err();
    assert!(err.to_string().contains("earlier Backoffice"), "{err}");

    // The first writable open upgrades it; every row is kept.
    let db = c.t.open().await;
    assert!(matches!(
        db.schema_status().await.unwrap(),
        SchemaStatus::Current { demo: true, .. }
    ));
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_operators")
            .await,
        operators
    );
    assert_eq!(
        c.t.scalar("SELECT COUNT(*) FROM backoffice_audit_log")
            .await,
        audit
    );
    assert_eq!(c.t.scalar("SELECT COUNT(*) FROM users").await, 7);
    // The console's later migrations ran: the message keeps its keys, as
    // text, and its channel; refunds and notes have their tables.
    for (column, was) in [("user_key", "3"), ("order_key", "4"), ("channel", "email")] {
        let sql = format!("SELECT {column} FROM backoffice_outbox");
        assert_eq!(c.t.texts(&sql).await, [was], "{column}");
    }
    for table in ["backoffice_refunds", "backoffice_order_notes"] {
        assert_eq!(
            c.t.scalar(&format!("SELECT COUNT(*) FROM {table}")).await,
            0
        );
    }
    let old = match backend {
        Backend::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'admin\\_%' OR tablename = '_sqlx_migrations'",
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'admin\\_%' ESCAPE '\\' OR name = '_sqlx_migrations'",
        Backend::Mysql => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND (table_name LIKE 'admin\\_%' OR table_name = '_sqlx_migrations')",
    };
    assert_eq!(c.t.scalar(old).await, 0);
    // And it works: sign in, and the audit chain still verifies.
    let admin = sign_in(&db, "alice", &Secret::new(PASSWORD), now())
        .await
        .expect("sign in");
    let ctx = backoffice_core::session::Ctx::at(&db, &admin, now());
    let report = backoffice_core::audit::verify(
        &ctx,
        &backoffice_core::progress::NoProgress,
        &backoffice_core::progress::CancelToken::new(),
    )
    .await
    .expect("verify");
    assert!(report.first_bad.is_none(), "{report:?}");
}

each_backend! {
    attach_only_ours => attach_creates_only_the_console_tables,
    schema_sql => schema_sql_is_what_attach_runs,
    read_only => read_only_profiles_are_told_to_attach,
    legacy_layout => the_earlier_layout_is_upgraded_in_place,
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
