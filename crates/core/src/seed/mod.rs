//! The demo data generator: deterministic from a seed (and the moment it
//! takes as "now"), it fills an empty database with realistic users,
//! products and orders, and plants known defects at small known rates for
//! the validation rules to find. What it planted is reported exactly.
//!
//! The whole seed is one transaction: cancelled or failed, it leaves the
//! database as empty as it found it.

mod bulk;
mod catalog;
mod orders;
mod pipeline;
mod plan;
mod products;
mod user_plan;
mod users;
mod writer;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::db::{on_tx, Backend, Db, WriteTx};
use crate::operators::{self, Role};
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::secrets::Secret;
use crate::{Error, Result};
use bulk::Deferred;
use pipeline::{Chunk, Generator};
use writer::{insert, Batch, Value};

/// The password of the demo operators `admin` and `support`.
pub const DEMO_OPERATOR_PASSWORD: &str = "backoffice-demo";

const MAX_USERS: u64 = 10_000_000;
const MAX_ORDERS: u64 = 50_000_000;
/// Rows generated before each flush: bounds memory whatever the size.
const CHUNK: u64 = 20_000;

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub users: u64,
    pub orders: u64,
    pub seed: u64,
    /// The moment the data is generated around (whole seconds).
    pub now: DateTime<Utc>,
}

impl SeedOptions {
    pub fn new(users: u64, orders: u64, seed: u64) -> Self {
        SeedOptions {
            users,
            orders,
            seed,
            now: Utc::now().trunc_subsecs(0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub seed: u64,
    pub now: DateTime<Utc>,
    /// Rows written per table.
    pub rows: BTreeMap<String, u64>,
    pub total_rows: u64,
    /// Planted defects: id (see docs/DEMO-DATA.md) → how many.
    pub planted: BTreeMap<String, u64>,
    pub operators: Vec<String>,
    pub operator_password: String,
    pub seconds: f64,
    pub rows_per_second: f64,
}

fn check_options(o: &SeedOptions) -> Result<()> {
    if o.users == 0 || o.users > MAX_USERS {
        return Err(Error::validation(format!(
            "--users must be between 1 and {MAX_USERS}"
        )));
    }
    if o.orders > MAX_ORDERS {
        return Err(Error::validation(format!(
            "--orders must be at most {MAX_ORDERS}"
        )));
    }
    Ok(())
}

/// Demo data goes only into the demo back end: never into a back end of
/// someone else's that the console is attached to.
async fn ensure_demo(db: &Db) -> Result<()> {
    match db.schema_status().await? {
        crate::db::SchemaStatus::Current { demo: true, .. } => Ok(()),
        _ => Err(Error::validation(format!(
            "{} is a back end of its own, not the demo; seed fills only the demo \
             back end that Backoffice creates in an empty database",
            db.label()
        ))),
    }
}

async fn ensure_empty(db: &Db, tx: &mut WriteTx) -> Result<()> {
    let mut found = Vec::new();
    for table in [
        "users",
        "orders",
        "products",
        "roles",
        "backoffice_operators",
    ] {
        let sql = format!("SELECT 1 FROM {table} LIMIT 1");
        let row = on_tx!(&mut tx.tx, c => sqlx::query(&sql).fetch_optional(&mut *c).await.map(|r| r.is_some()))
            .map_err(|e| Error::db("cannot inspect the database", e))?;
        if row {
            found.push(table);
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "{} is not empty (it has {}); seed only fills an empty database",
            db.label(),
            found.join(", ")
        )))
    }
}

struct Writer<'a> {
    tx: &'a mut WriteTx,
    rows: BTreeMap<String, u64>,
    progress: &'a dyn ProgressSink,
    cancel: &'a CancelToken,
    done: u64,
    total: u64,
}

impl Writer<'_> {
    async fn write(&mut self, batch: &mut Batch) -> Result<()> {
        let table = batch.table;
        let n = insert(self.tx, batch).await?;
        *self.rows.entry(table.to_string()).or_default() += n;
        Ok(())
    }

    /// Writes one generated chunk, then reports it as done.
    async fn write_chunk(&mut self, stage: &str, chunk: Chunk) -> Result<()> {
        for mut batch in chunk.batches {
            self.write(&mut batch).await?;
        }
        self.advance(stage, chunk.units)
    }

    /// Marks `units` done, reports it, and stops here if cancelled.
    fn advance(&mut self, stage: &str, units: u64) -> Result<()> {
        self.done += units;
        self.progress.report(Progress {
            stage: stage.to_string(),
            done: self.done,
            total: self.total,
        });
        self.cancel.check()
    }
}

/// Fills an empty database. Refuses a database that has any data.
pub async fn seed(
    db: &Db,
    opts: &SeedOptions,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<SeedReport> {
    check_options(opts)?;
    ensure_demo(db).await?;
    let started = Instant::now();
    let mut tx = db.begin_bulk_load("seed demo data").await?;
    let filled = fill(db, &mut tx, opts, progress, cancel).await;
    // The transaction ends here, before the tidying: a rollback left to the
    // drop would run later on the pool's side, still holding the file while
    // a SQLite file is switched back to its write-ahead log.
    let filled = match filled {
        Ok(filled) => {
            let committing = Instant::now();
            // A failed commit still needs the tidy-up below.
            let committed = tx.commit().await;
            tracing::info!(
                seconds = committing.elapsed().as_secs_f64(),
                "seed: committed"
            );
            committed.map(|()| filled)
        }
        Err(e) => {
            if let Err(undo) = tx.rollback().await {
                tracing::warn!(error = %undo, "seed: rollback failed");
            }
            Err(e)
        }
    };
    // Loaded or rolled back, a SQLite file goes back to its usual journal.
    if filled.is_ok() || db.backend() == Backend::Sqlite {
        let tidying = Instant::now();
        let tidied = db.after_bulk_load(crate::stats::TABLES).await;
        tracing::info!(seconds = tidying.elapsed().as_secs_f64(), "seed: tidied");
        // The reason a seed stopped matters more than a failed tidy-up.
        if filled.is_ok() {
            tidied?;
        } else if let Err(e) = tidied {
            tracing::warn!(error = %e, "seed: tidying up after a failed seed");
        }
    }
    let (rows, planted) = filled?;
    let seconds = started.elapsed().as_secs_f64();
    let total_rows: u64 = rows.values().sum();
    Ok(SeedReport {
        seed: opts.seed,
        now: opts.now,
        rows,
        total_rows,
        planted,
        operators: vec!["admin".into(), "support".into()],
        operator_password: DEMO_OPERATOR_PASSWORD.into(),
        seconds,
        rows_per_second: total_rows as f64 / seconds.max(1e-9),
    })
}

/// Rows written per table, and the defects planted.
type Filled = (BTreeMap<String, u64>, BTreeMap<String, u64>);

/// Everything the seed writes, in `tx` (the caller commits it).
async fn fill(
    db: &Db,
    tx: &mut WriteTx,
    opts: &SeedOptions,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<Filled> {
    let started = Instant::now();
    ensure_empty(db, tx).await?;
    let deferred = Deferred::set_aside(tx, crate::stats::TABLES).await?;

    let password = Secret::new(DEMO_OPERATOR_PASSWORD);
    let hashes = tokio::task::spawn_blocking(move || {
        Ok::<_, Error>([
            operators::hash_password(&password)?,
            operators::hash_password(&password)?,
        ])
    })
    .await
    .map_err(|e| Error::internal(format!("hashing failed: {e}")))??;
    operators::insert(tx, "admin", Role::Admin, &hashes[0]).await?;
    operators::insert(tx, "support", Role::Support, &hashes[1]).await?;

    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let n_products = products::product_count(opts.users);
    let mut w = Writer {
        tx,
        rows: BTreeMap::new(),
        progress,
        cancel,
        done: 0,
        total: n_products + opts.users + opts.orders,
    };
    *w.rows.entry("backoffice_operators".into()).or_default() += 2;
    let mut planted: BTreeMap<String, u64> = BTreeMap::new();

    let mut roles = Batch::new("roles", &["id", "name", "description"]);
    for (i, (name, description)) in catalog::ROLES.iter().enumerate() {
        roles.push(vec![
            Value::Int(i as i64 + 1),
            Value::Text(name.to_string()),
            Value::Text(description.to_string()),
        ]);
    }
    w.write(&mut roles).await?;

    let (mut products, shelves, counts) =
        products::generate(opts.seed, n_products, opts.now, &mut rng);
    planted.extend(counts.iter().map(|(k, n)| (k.defect().to_string(), *n)));
    w.write(&mut products).await?;
    w.advance("products", n_products)?;

    let plan = user_plan::UserPlan::new(&mut rng, opts.users);
    for (kind, n) in &plan.counts {
        if let Some(id) = kind.defect() {
            *planted.entry(id.to_string()).or_default() += *n;
        }
    }
    // Each case-variant duplicate was stored un-lowered too.
    let duplicates = planted
        .get("users.duplicate_email_case")
        .copied()
        .unwrap_or(0);
    *planted
        .entry("users.email_not_normalized".into())
        .or_default() += duplicates;
    let (seed_value, now) = (opts.seed, opts.now);
    let mut made = Generator::start(
        opts.users,
        CHUNK,
        (plan, users::UserFacts::default()),
        move |(plan, facts), rows| {
            let mut out = users::UserBatches::new();
            users::generate(seed_value, rows, plan, now, facts, &mut out);
            out.into_vec()
        },
    );
    while let Some(chunk) = made.next().await {
        w.write_chunk("users", chunk).await?;
    }
    let (_, facts) = made.finish().await?;

    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "seed: users written"
    );
    let (kinds, counts) = orders::plan(&mut rng, opts.orders);
    planted.extend(counts.iter().map(|(k, n)| (k.defect().to_string(), *n)));
    let disabled_users: Vec<u64> = facts
        .disabled
        .iter()
        .enumerate()
        .filter(|(_, d)| **d)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let ctx = orders::Context {
        seed: opts.seed,
        now: opts.now,
        kinds,
        users: facts,
        disabled_users,
        shelves,
    };
    let mut made = Generator::start(opts.orders, CHUNK, ctx, |ctx, rows| {
        let mut out = orders::OrderBatches::new();
        orders::generate(ctx, rows, &mut out);
        out.into_vec()
    });
    while let Some(chunk) = made.next().await {
        w.write_chunk("orders", chunk).await?;
    }
    made.finish().await?;

    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "seed: orders written"
    );
    w.cancel.check()?;
    w.progress.report(Progress {
        stage: "building indexes".into(),
        done: w.done,
        total: w.total,
    });
    deferred.restore(w.tx).await?;
    w.cancel.check()?;
    w.tx.sync_identity(&["users", "roles", "products", "orders"])
        .await?;
    Ok((w.rows, planted))
}
