//! The schema mapping: for every concept the console uses, where the back
//! end keeps it. One TOML file per profile (format documented in
//! docs/MAPPING.md), proposed by [`detect`], checked by [`check`].
//!
//! Beyond plain table and column names the mapping knows only a closed set
//! of forms the console understands (columns joined, a count against a
//! threshold, a value map, a fixed value on a join): nothing in it is SQL,
//! and every name is checked to be a plain identifier before any query
//! quotes it.

pub mod catalogue;
pub mod check;
pub mod detect;
pub mod draft;
mod forms;
pub mod lifecycle;
mod links;
mod presets;
pub(crate) mod query;
mod saleor;
mod sends;
pub mod shop;
mod shop_presets;
mod shop_refs;
mod solidus;
mod source;
mod source_checks;
mod woocommerce;

pub use presets::AXES_DEFAULT_LIMIT;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};
pub use forms::{Active, Join, Lock, Ref, SignIns, Verified, Want};
pub use lifecycle::Lifecycle;
pub use links::{Link, LinksMap};
pub use sends::{Sends, SendsMap};
pub use shop::{
    Currency, FeesMap, HistoryMap, ItemsMap, LocalTimeMap, MetaMap, Money, NotesMap, OnCancel,
    OrderMap, ProductsMap, RefundsMap, SideMap, StockMap, ViaMap,
};

/// The format version this build reads and writes.
pub const FORMAT: u32 = 1;

/// A back end's schema, as the console needs to know it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The mapping format's version (1).
    pub format: u32,
    /// What detection recognised ("django + axes + allauth"), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<RolesMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<ItemsMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<ProductsMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_history: Option<HistoryMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<NotesMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunds: Option<RefundsMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// The links in account emails, in the back end's own format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<LinksMap>,
    /// The account emails the back end sends itself, asked over HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sends: Option<SendsMap>,
}

/// Users and what the back end knows about signing in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserMap {
    pub table: String,
    /// The primary key: an integer, a UUID or text.
    pub key: String,
    pub email: String,
    /// A sign-in name other than the email (Django's `username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The display name: these columns joined with a space.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Set to the time of every write to the user's row, as the framework
    /// does (Rails' and Laravel's `updated_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    /// Failed sign-in attempts, as a counter column on the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_attempts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<Active>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<Lock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_ins: Option<SignIns>,
}

/// Roles granted to users through a join table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesMap {
    pub table: String,
    pub key: String,
    pub name: String,
    pub join: Join,
}

impl Mapping {
    /// Reads a mapping file; any problem is one message naming the file.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::validation(format!(
                "cannot read the mapping {}: {e}; write one with `backoffice schema detect --write {}`",
                path.display(),
                path.display()
            ))
        })?;
        Mapping::parse(&text)
            .map_err(|e| Error::validation(format!("mapping {}: {e}", path.display())))
    }

    /// Parses and validates a mapping's text.
    pub fn parse(text: &str) -> Result<Mapping> {
        let m: Mapping = toml::from_str(text).map_err(|e| Error::validation(one_line(text, &e)))?;
        m.validate()?;
        Ok(m)
    }

    /// The mapping as a commented TOML file.
    pub fn to_toml(&self) -> String {
        let body =
            toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot write: {e}\n"));
        format!(
            "# Backoffice schema mapping (format {FORMAT}; see docs/MAPPING.md).\n\
             # Table and column names only: the console never runs text from here as SQL.\n\n{body}"
        )
    }

    /// Writes the file whole or not at all.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, self.to_toml())
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| Error::validation(format!("cannot write {}: {e}", path.display())))
    }

    /// Format version and names: every table and column a plain identifier.
    pub fn validate(&self) -> Result<()> {
        if self.format != FORMAT {
            return Err(Error::validation(format!(
                "format {} is not one this Backoffice reads (it reads {FORMAT})",
                self.format
            )));
        }
        let mut bad = Vec::new();
        for r in self.refs() {
            for name in std::iter::once(&r.table).chain(r.column.iter()) {
                if !is_identifier(name) {
                    bad.push(format!(
                        "{}: '{}' is not a table or column name",
                        r.concept, name
                    ));
                }
            }
        }
        if let Some(Lock::Attempts { limit, .. }) = self.user.as_ref().and_then(|u| u.lock.as_ref())
        {
            if *limit < 1 {
                bad.push(format!("user.lock.limit: {limit} must be at least 1"));
            }
        }
        bad.extend(self.shop_problems());
        bad.extend(self.links_problems());
        bad.extend(self.sends_problems());
        if bad.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(bad.join("; ")))
        }
    }
}

/// The mapping a command works with: the file given (by `--mapping` or the
/// profile), else, for the demo, the reference schema's; a back end of its
/// own without a mapping is told how to make one.
pub async fn in_effect(db: &crate::db::Db, file: Option<&Path>) -> Result<Mapping> {
    if let Some(path) = file {
        return Mapping::load(path);
    }
    match db.schema_status().await? {
        crate::db::SchemaStatus::Current { demo: true, .. } => {
            Ok(detect::detect(db).await?.mapping)
        }
        _ => Err(Error::validation(format!(
            "{} has no schema mapping: run `backoffice schema detect --write backend.toml`, \
             review it, then pass `--mapping backend.toml` (or save it in the profile with \
             `backoffice profile add … --mapping backend.toml`)",
            db.label()
        ))),
    }
}

/// Which implementation serves a back end: the console's own for the
/// reference schema (the demo, with no mapping file given), or the
/// mapping's.
#[derive(Debug, Clone)]
pub enum Served {
    Reference,
    Mapped(Box<Mapping>),
}

/// Decides, in one place, how the console reads this back end.
pub async fn served(db: &crate::db::Db, file: Option<&Path>) -> Result<Served> {
    if file.is_none() {
        if let crate::db::SchemaStatus::Current { demo: true, .. } = db.schema_status().await? {
            return Ok(Served::Reference);
        }
    }
    in_effect(db, file)
        .await
        .map(|m| Served::Mapped(Box::new(m)))
}

/// A plain SQL identifier (optionally `schema.table`): letters, digits and
/// underscores, not starting with a digit, at most 63 characters a part.
pub fn is_identifier(name: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 63
            && !p.starts_with(|c: char| c.is_ascii_digit())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 2 && parts.iter().all(|p| part(p))
}

/// A mapped name quoted for this backend's SQL. Names are checked to be
/// plain identifiers when the mapping is read; quoting keeps reserved words
/// and case as the back end has them.
pub fn quoted(backend: crate::db::Backend, name: &str) -> String {
    let q = if backend == crate::db::Backend::Mysql {
        '`'
    } else {
        '"'
    };
    name.split('.')
        .map(|part| format!("{q}{part}{q}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A TOML error as one line: what is wrong, and where.
fn one_line(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shop_tests;
