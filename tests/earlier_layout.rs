//! A demo database made by Backoffice before the console had a namespace
//! (its tables named `admin_*`, recorded in `_sqlx_migrations`) is upgraded
//! in place on its first writable open: every row kept, the console's
//! later migrations applied, and the audit chain still verifying.

mod common;

use backoffice_core::db::{Backend, OpenOptions, SchemaStatus};
use backoffice_core::operators::sign_in;
use backoffice_core::secrets::Secret;
use backoffice_testkit::{each_backend, TestDb};
use common::{connect, console, now, seven_users, PASSWORD};

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
    legacy_layout => the_earlier_layout_is_upgraded_in_place,
}
