//! Batched multi-row INSERTs inside the caller's transaction. Each backend
//! caps the number of bound parameters per statement; batches are cut to fit.

use sqlx::QueryBuilder;

/// One column value of a generated row: the same values queries bind.
pub(crate) use crate::db::query::Arg as Value;
use crate::db::{on_tx, WriteTx};
use crate::{Error, Result};

/// Rows for one table, all with the same columns.
pub(crate) struct Batch {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Value>>,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Batch {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
    }
}

/// SQLite's default limit is 32,766 bound parameters; PostgreSQL and MySQL
/// allow 65,535. Past ~1,000 rows a statement gains nothing.
const MAX_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

macro_rules! bind_rows {
    ($qb:expr, $rows:expr) => {
        $qb.push_values($rows, |mut b, row| {
            for v in row {
                match v {
                    Value::Int(x) => b.push_bind(x),
                    Value::Bool(x) => b.push_bind(x),
                    Value::Text(x) => b.push_bind(x),
                    Value::OptText(x) => b.push_bind(x),
                    Value::Time(x) => b.push_bind(x),
                    Value::OptTime(x) => b.push_bind(x),
                    Value::OptInt(x) => b.push_bind(x),
                };
            }
        })
    };
}

/// Inserts the batch's rows and empties it; returns how many were written.
pub(crate) async fn insert(tx: &mut WriteTx, batch: &mut Batch) -> Result<u64> {
    let per_stmt = (MAX_PARAMS / batch.columns.len()).clamp(1, MAX_ROWS);
    let head = format!(
        "INSERT INTO {} ({}) ",
        batch.table,
        batch.columns.join(", ")
    );
    let mut written = 0u64;
    let mut rows = std::mem::take(&mut batch.rows).into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_stmt).collect();
        let n = chunk.len() as u64;
        let result = on_tx!(&mut tx.tx, conn => {
            let mut qb = QueryBuilder::new(&head);
            bind_rows!(qb, chunk);
            qb.build().execute(&mut *conn).await.map(|_| ())
        });
        result.map_err(|e| Error::db(&format!("cannot insert into {}", batch.table), e))?;
        written += n;
    }
    Ok(written)
}
