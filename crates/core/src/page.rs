//! Keyset pagination: a page of items and an opaque cursor that says where
//! the next page starts, so page 10,000 costs what page 1 costs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::query::Arg;
use crate::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1_000;
/// Totals are counted up to here and then shown as "10,000+".
pub const COUNT_CAP: u64 = 10_000;

/// Which page: the cursor from the previous page, and its size.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct PageRequest {
    pub after: Option<String>,
    pub limit: Option<u32>,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest {
            after: None,
            limit: Some(limit),
        }
    }

    pub fn limit(&self) -> Result<u32> {
        match self.limit.unwrap_or(DEFAULT_LIMIT) {
            0 => Err(Error::validation("a page holds at least 1 row")),
            n if n > MAX_LIMIT => Err(Error::validation(format!(
                "a page holds at most {MAX_LIMIT} rows (asked for {n})"
            ))),
            n => Ok(n),
        }
    }
}

/// How many rows match, counted no further than [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Total {
    #[ts(type = "number")]
    pub count: u64,
    /// True when there are more than `count`.
    pub capped: bool,
}

impl Total {
    pub fn from_capped(n: u64) -> Total {
        if n > COUNT_CAP {
            Total {
                count: COUNT_CAP,
                capped: true,
            }
        } else {
            Total {
                count: n,
                capped: false,
            }
        }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.count, if self.capped { "+" } else { "" })
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
    /// Given with the first page only.
    pub total: Option<Total>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only says
    /// that there is a next page.
    pub(crate) fn from_rows(rows: Vec<T>, limit: u32, cursor: impl Fn(&T) -> Cursor) -> Self {
        let (items, next) = split(rows, limit, cursor);
        Page {
            items,
            next: next.map(|c| c.encode()),
            total: None,
        }
    }
}

/// Up to `limit + 1` rows → the page's rows and, when there was an extra
/// row, the cursor after the last one kept.
pub(crate) fn split<T, C>(
    mut rows: Vec<T>,
    limit: u32,
    cursor: impl Fn(&T) -> C,
) -> (Vec<T>, Option<C>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}

/// A page of rows in the order of a back end's own key (an integer, a UUID
/// or a code, as text): the cursor is that key, opaque to the caller.
pub(crate) fn keyed_page<T>(rows: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let (items, next) = split(rows, limit, key);
    Page {
        items,
        next: next.map(|k| URL_SAFE_NO_PAD.encode(format!("k~{k}"))),
        total: None,
    }
}

/// The back-end key a [`keyed_page`] cursor carries.
pub(crate) fn decode_key(text: &str) -> Result<String> {
    let bad = || Error::validation(format!("'{text}' is not a page cursor from this list"));
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
    let plain = String::from_utf8(bytes).map_err(|_| bad())?;
    plain.strip_prefix("k~").map(str::to_string).ok_or_else(bad)
}

/// A sort key: a time or an integer (an amount, a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Time(DateTime<Utc>),
    Int(i64),
}

impl From<Key> for Arg {
    fn from(k: Key) -> Arg {
        match k {
            Key::Time(t) => Arg::Time(t),
            Key::Int(i) => Arg::Int(i),
        }
    }
}

/// The end of a list query in id order (the order of time for the
/// console's own lists): after the cursor, newest first unless
/// `oldest_first`, one row more than the page.
pub(crate) fn by_id(
    q: &mut crate::db::Query,
    after: Option<&str>,
    oldest_first: bool,
    limit: u32,
) -> Result<()> {
    let (op, dir) = if oldest_first {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some(after) = after {
        q.sql(format!(" AND id {op} "))
            .bind(Cursor::decode(after)?.id);
    }
    q.sql(format!(" ORDER BY id {dir} LIMIT {}", limit + 1));
    Ok(())
}

/// Where a page ended: the sort key of its last row (none when the key was
/// NULL or the order is by id alone) and the id that breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub key: Option<Key>,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let key = match self.key {
            Some(Key::Time(t)) => format!("t{}", t.timestamp_nanos_opt().unwrap_or(0)),
            Some(Key::Int(i)) => format!("i{i}"),
            None => "-".into(),
        };
        URL_SAFE_NO_PAD.encode(format!("{key}~{}", self.id))
    }

    pub fn decode(text: &str) -> Result<Cursor> {
        let bad = || Error::validation(format!("'{text}' is not a page cursor from this list"));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let (key, id) = plain.split_once('~').ok_or_else(bad)?;
        let id = id.parse().map_err(|_| bad())?;
        let key = match key.split_at_checked(1) {
            Some(("-", "")) => None,
            Some(("t", nanos)) => Some(Key::Time(DateTime::from_timestamp_nanos(
                nanos.parse().map_err(|_| bad())?,
            ))),
            Some(("i", int)) => Some(Key::Int(int.parse().map_err(|_| bad())?)),
            _ => return Err(bad()),
        };
        Ok(Cursor { key, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            key: Some(Key::Time(DateTime::from_timestamp_nanos(
                1_750_000_000_123_456_000,
            ))),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        let i = Cursor {
            key: Some(Key::Int(-12_345)),
            id: 9,
        };
        assert_eq!(Cursor::decode(&i.encode()).unwrap(), i);
        let n = Cursor { key: None, id: 7 };
        assert_eq!(Cursor::decode(&n.encode()).unwrap(), n);
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x~y")).is_err());
    }

    #[test]
    fn totals_are_capped() {
        assert_eq!(Total::from_capped(10_001).to_string(), "10000+");
        assert_eq!(Total::from_capped(12).to_string(), "12");
    }
}
