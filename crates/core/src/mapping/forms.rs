//! The closed set of forms a mapping may use beyond a plain column, and the
//! list of every table and column a mapping names (what `check` verifies
//! and what queries may quote).

use serde::{Deserialize, Serialize};

use super::Mapping;

/// Whether an account may sign in at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Active {
    /// A boolean column, true while the account is active (Django's
    /// `is_active`).
    Flag { column: String },
    /// A column of codes: which mean active, disabled or locked. A value in
    /// the data that is in none of the lists is reported by `schema check`.
    Values {
        column: String,
        active: Vec<String>,
        disabled: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        locked: Vec<String>,
    },
}

/// How the back end locks an account after failed sign-ins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Lock {
    /// A timestamp column on the user: locked while it is set (Devise's
    /// `locked_at`), or, with `until`, while it is in the future.
    Timestamp {
        column: String,
        #[serde(default)]
        until: bool,
        /// Cleared on unlock (Devise's `unlock_token`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unlock_token: Option<String>,
        /// Why it was locked, where the back end keeps that.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Rows of another table counted against a threshold (django-axes:
    /// locked out when `failures_since_start` reaches the limit). Matched
    /// case-insensitively on the user columns in `match_user`; unlocking
    /// deletes the user's rows, as the back end's own reset does.
    Attempts {
        table: String,
        /// The column holding the name the sign-in form posted.
        username: String,
        /// The failure count of a row.
        count: String,
        /// The back end's setting (AXES_FAILURE_LIMIT, 3 by default).
        limit: i64,
        /// The user's columns that name may be (username, email).
        match_user: Vec<String>,
    },
}

/// Whether the user's email address is verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verified {
    /// Verified since this timestamp (Laravel's `email_verified_at`,
    /// Devise's `confirmed_at`).
    Timestamp {
        column: String,
        /// A new address waiting for confirmation (Devise reconfirmable).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending_email: Option<String>,
    },
    /// A boolean column on the user.
    Flag { column: String },
    /// Rows of another table, one per address (allauth's
    /// `account_emailaddress`): verified when the user's row for the
    /// address has the flag set.
    Rows {
        table: String,
        user: String,
        email: String,
        flag: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary: Option<String>,
    },
}

/// Sign-in history: one row per sign-in (or attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIns {
    pub table: String,
    pub at: String,
    /// The user's key, where rows carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Otherwise the name used, matched case-insensitively against the
    /// user's `match_user` columns of the lock (or the email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

/// A join table between users and another table, optionally restricted to
/// rows where a column holds a fixed value (spatie/laravel-permission's
/// `model_type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    pub table: String,
    pub user: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_value: Option<String>,
}

/// What a mapped column must be able to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Want {
    /// A key: integer, UUID or text.
    Key,
    Text,
    Timestamp,
    /// A boolean (or an integer 0/1).
    Flag,
    Integer,
    /// An amount of money in the mapping's form (whole minor units, or a
    /// decimal).
    Money(super::Money),
    /// A table, not a column.
    Table,
}

impl Want {
    pub fn describe(self) -> &'static str {
        match self {
            Want::Key => "a key (integer, UUID or text)",
            Want::Text => "text",
            Want::Timestamp => "a date and time",
            Want::Flag => "a true/false value",
            Want::Integer => "a whole number",
            Want::Money(super::Money::Minor) => "an amount in minor units (a whole number)",
            Want::Money(super::Money::Decimal) => "a decimal amount",
            Want::Table => "a table",
        }
    }
}

/// One table or column a mapping names, and what it is for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ref {
    /// Where in the mapping ("user.email", "user.lock.count").
    pub concept: String,
    pub table: String,
    pub column: Option<String>,
    pub want: Want,
}

/// Collects references, table first.
#[derive(Default)]
pub(super) struct Refs(Vec<Ref>);

impl Refs {
    pub(super) fn table(&mut self, concept: &str, table: &str) {
        self.0.push(Ref {
            concept: concept.into(),
            table: table.into(),
            column: None,
            want: Want::Table,
        });
    }
    pub(super) fn col(&mut self, concept: &str, table: &str, column: &str, want: Want) {
        self.0.push(Ref {
            concept: concept.into(),
            table: table.into(),
            column: Some(column.into()),
            want,
        });
    }
    pub(super) fn opt(&mut self, concept: &str, table: &str, column: &Option<String>, want: Want) {
        if let Some(c) = column {
            self.col(concept, table, c, want);
        }
    }
}

impl Mapping {
    /// Every table and column this mapping names.
    pub fn refs(&self) -> Vec<Ref> {
        let mut r = Refs::default();
        if let Some(u) = &self.user {
            let t = u.table.as_str();
            r.table("user.table", t);
            r.col("user.key", t, &u.key, Want::Key);
            r.col("user.email", t, &u.email, Want::Text);
            r.opt("user.username", t, &u.username, Want::Text);
            for n in &u.name {
                r.col("user.name", t, n, Want::Text);
            }
            r.opt("user.created", t, &u.created, Want::Timestamp);
            r.opt("user.updated", t, &u.updated, Want::Timestamp);
            r.opt("user.last_sign_in", t, &u.last_sign_in, Want::Timestamp);
            r.opt("user.failed_attempts", t, &u.failed_attempts, Want::Integer);
            match &u.active {
                Some(Active::Flag { column }) => r.col("user.active.column", t, column, Want::Flag),
                Some(Active::Values { column, .. }) => {
                    r.col("user.active.column", t, column, Want::Text)
                }
                None => {}
            }
            match &u.lock {
                Some(Lock::Timestamp {
                    column,
                    unlock_token,
                    reason,
                    ..
                }) => {
                    r.col("user.lock.column", t, column, Want::Timestamp);
                    r.opt("user.lock.unlock_token", t, unlock_token, Want::Text);
                    r.opt("user.lock.reason", t, reason, Want::Text);
                }
                Some(Lock::Attempts {
                    table,
                    username,
                    count,
                    match_user,
                    ..
                }) => {
                    r.table("user.lock.table", table);
                    r.col("user.lock.username", table, username, Want::Text);
                    r.col("user.lock.count", table, count, Want::Integer);
                    for m in match_user {
                        r.col("user.lock.match_user", t, m, Want::Text);
                    }
                }
                None => {}
            }
            match &u.verified {
                Some(Verified::Timestamp {
                    column,
                    pending_email,
                }) => {
                    r.col("user.verified.column", t, column, Want::Timestamp);
                    r.opt("user.verified.pending_email", t, pending_email, Want::Text);
                }
                Some(Verified::Flag { column }) => {
                    r.col("user.verified.column", t, column, Want::Flag)
                }
                Some(Verified::Rows {
                    table,
                    user,
                    email,
                    flag,
                    primary,
                }) => {
                    r.table("user.verified.table", table);
                    r.col("user.verified.user", table, user, Want::Key);
                    r.col("user.verified.email", table, email, Want::Text);
                    r.col("user.verified.flag", table, flag, Want::Flag);
                    r.opt("user.verified.primary", table, primary, Want::Flag);
                }
                None => {}
            }
            if let Some(s) = &u.sign_ins {
                r.table("user.sign_ins.table", &s.table);
                r.col("user.sign_ins.at", &s.table, &s.at, Want::Timestamp);
                r.opt("user.sign_ins.user", &s.table, &s.user, Want::Key);
                r.opt("user.sign_ins.username", &s.table, &s.username, Want::Text);
                r.opt(
                    "user.sign_ins.succeeded",
                    &s.table,
                    &s.succeeded,
                    Want::Flag,
                );
                r.opt("user.sign_ins.ip", &s.table, &s.ip, Want::Text);
            }
        }
        if let Some(roles) = &self.roles {
            r.table("roles.table", &roles.table);
            r.col("roles.key", &roles.table, &roles.key, Want::Key);
            r.col("roles.name", &roles.table, &roles.name, Want::Text);
            let j = &roles.join;
            r.table("roles.join.table", &j.table);
            r.col("roles.join.user", &j.table, &j.user, Want::Key);
            r.col("roles.join.role", &j.table, &j.role, Want::Key);
            r.opt(
                "roles.join.only_column",
                &j.table,
                &j.only_column,
                Want::Text,
            );
        }
        self.shop_refs(&mut r);
        self.links_refs(&mut r);
        r.0
    }
}
