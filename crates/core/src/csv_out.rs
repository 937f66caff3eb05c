//! Lists written out as CSV, page by page: memory stays flat however many
//! rows match, progress is reported per page, and cancelling stops before
//! the next page.

use std::future::Future;
use std::io::Write;

use chrono::{DateTime, Utc};

use crate::page::{Cursor, Page, PageRequest};
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::{Error, Result};

/// Rows fetched per page.
pub(crate) const BATCH: u32 = 1_000;

/// A spreadsheet runs a cell that starts with one of these as a formula;
/// a leading apostrophe keeps user-supplied text as text.
pub(crate) fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// An optional time as RFC 3339, empty when absent.
pub(crate) fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

fn io(e: impl std::fmt::Display) -> Error {
    Error::Unavailable(format!("cannot write the CSV: {e}"))
}

/// Where the output goes and who hears about it.
pub(crate) struct Sink<'a> {
    pub out: &'a mut (dyn Write + Send),
    pub progress: &'a dyn ProgressSink,
    pub cancel: &'a CancelToken,
}

/// Writes `header`, then every page `next(cursor)` returns with the cursor
/// of the page after it (none on the last), one record per row; returns
/// how many rows were written.
pub(crate) async fn stream<T, F, Fut>(
    sink: Sink<'_>,
    header: &[&str],
    stage: &str,
    mut next: F,
    record: impl Fn(T) -> Vec<String>,
) -> Result<u64>
where
    F: FnMut(Option<Cursor>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<Cursor>)>>,
{
    let mut csv = csv::Writer::from_writer(sink.out);
    csv.write_record(header).map_err(io)?;
    let mut cursor = None;
    let mut written = 0u64;
    loop {
        sink.cancel.check()?;
        let (rows, after) = next(cursor.take()).await?;
        cursor = after;
        for row in rows {
            csv.write_record(record(row)).map_err(io)?;
            written += 1;
        }
        csv.flush().map_err(io)?;
        sink.progress.report(Progress {
            stage: stage.into(),
            done: written,
            total: 0,
        });
        if cursor.is_none() {
            return Ok(written);
        }
    }
}

/// [`stream`] over a list that pages with [`PageRequest`]: the findings,
/// outbox and audit lists.
pub(crate) async fn stream_pages<T, F, Fut>(
    sink: Sink<'_>,
    header: &[&str],
    stage: &str,
    mut next: F,
    record: impl Fn(T) -> Vec<String>,
) -> Result<u64>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let pages = |cursor: Option<Cursor>| {
        let page = next(PageRequest {
            after: cursor.map(|c| c.encode()),
            limit: Some(BATCH),
        });
        async move {
            let page = page.await?;
            let after = page.next.as_deref().map(Cursor::decode).transpose()?;
            Ok((page.items, after))
        }
    };
    stream(sink, header, stage, pages, record).await
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
