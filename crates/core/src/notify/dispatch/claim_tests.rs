//! The claim's own identity, step by step on a real SQLite file: a message
//! whose lease ran out before it was started, queued again and claimed
//! again by another worker of the same dispatcher, can be started and
//! finished only under the newer claim; and an expired, started message
//! is settled once, however many runs settle leases.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::super::links::Links;
use super::claim::{self, Claimed, Outcome, Retry};
use crate::db::{Db, OpenOptions, Query, Target};

const LEASE: Duration = Duration::from_secs(1);

fn links() -> Links {
    Links {
        base: "https://shop.example".into(),
        backend: None,
        operator: "test".into(),
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
}

async fn outbox_with_one_message() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        read_only: false,
        create_if_missing: true,
    };
    let db = Db::open(&Target::sqlite_file(&dir.path().join("o.db")), options)
        .await
        .unwrap();
    let mut tx = db.begin_write("queue a message").await.unwrap();
    let mut q = Query::new(
        "INSERT INTO backoffice_outbox (id, uid, template, recipient, subject, vars_json, \
         idempotency_key, status, due_at, created_by, created_at, updated_at) VALUES \
         (1, 'u1', 'support_message', 'ann@example.com', 'Hello', '{}', 'k1', 'queued', ",
    );
    q.bind(at(0))
        .sql(", 'test', ")
        .bind(at(0))
        .sql(", ")
        .bind(at(0))
        .sql(")");
    tx.execute(&q, "queue").await.unwrap();
    tx.commit().await.unwrap();
    (dir, db)
}

async fn row(db: &Db) -> (String, Option<String>, i64) {
    let q = Query::new("SELECT status, lease_owner, attempts FROM backoffice_outbox WHERE id = 1");
    let r: (String, Option<String>, i32) = db.fetch_one(&q, "read").await.unwrap();
    (r.0, r.1, i64::from(r.2))
}

async fn attempts(db: &Db) -> i64 {
    let q = Query::new("SELECT COUNT(*) FROM backoffice_outbox_attempts");
    let (n,): (i64,) = db.fetch_one(&q, "count").await.unwrap();
    n
}

fn one(mut batch: Vec<Claimed>) -> Claimed {
    assert_eq!(batch.len(), 1);
    batch.remove(0)
}

#[tokio::test]
async fn a_message_claimed_again_is_sent_only_under_the_new_claim() {
    let (_dir, db) = outbox_with_one_message().await;
    let first = one(claim::claim(&db, &links(), "d:1:ab/0", 10, LEASE, at(1))
        .await
        .unwrap());
    // The first worker is busy past the lease; another run settles it.
    assert_eq!(claim::recover(&db, at(5)).await.unwrap(), (1, 0));
    let second = one(claim::claim(&db, &links(), "d:1:ab/1", 10, LEASE, at(5))
        .await
        .unwrap());
    assert_eq!(
        first.attempt, second.attempt,
        "the unstarted attempt was not spent"
    );
    assert!(
        !claim::start(&db, &first, LEASE, at(6)).await.unwrap(),
        "the first claim may not send it any more"
    );
    assert!(claim::start(&db, &second, LEASE, at(6)).await.unwrap());
    assert!(
        !claim::start(&db, &second, LEASE, at(6)).await.unwrap(),
        "started once"
    );
    let retry = Retry {
        max_attempts: 5,
        after: Duration::ZERO,
    };
    let sent = Outcome::Sent {
        reply: "250 OK".into(),
    };
    claim::finish(&db, &first, at(6), &sent, &retry, at(7))
        .await
        .unwrap();
    assert_eq!(
        row(&db).await,
        ("sending".into(), Some("d:1:ab/1".into()), 1),
        "the stale claim's outcome changes nothing"
    );
    claim::finish(&db, &second, at(6), &sent, &retry, at(7))
        .await
        .unwrap();
    assert_eq!(row(&db).await.0, "sent");
}

#[tokio::test]
async fn an_interrupted_send_is_settled_once() {
    let (_dir, db) = outbox_with_one_message().await;
    let c = one(claim::claim(&db, &links(), "d:2:cd/0", 10, LEASE, at(1))
        .await
        .unwrap());
    assert!(claim::start(&db, &c, LEASE, at(1)).await.unwrap());
    // The dispatcher dies mid-send; two runs settle the lease.
    assert_eq!(claim::recover(&db, at(9)).await.unwrap(), (0, 1));
    assert_eq!(claim::recover(&db, at(9)).await.unwrap(), (0, 0));
    assert_eq!(attempts(&db).await, 1, "one interrupted attempt");
    assert_eq!(row(&db).await.0, "uncertain");
}
