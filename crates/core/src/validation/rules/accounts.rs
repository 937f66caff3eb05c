//! Rules about accounts and products.

use crate::validation::Entity;
use chrono::Duration;
use unicode_normalization::UnicodeNormalization;

use super::{q, Check, Rule, Scope, Severity};
use crate::db::Backend;

pub(crate) const INVALID_EMAIL: Rule = Rule {
    id: "users.invalid_email",
    title: "Email address is not valid",
    severity: Severity::Error,
    entity: Entity::User,
    table: "users",
    explanation: "The address does not parse as an RFC 5322 address, so no email can reach \
                  this person. Ask them for a correct address and change it.",
    guards_edits: true,
    check: Check::Emails {
        flags: |email, _| !crate::users::address::is_deliverable(email),
        candidates: None,
    },
};

pub(crate) const DUPLICATE_EMAIL_CASE: Rule = Rule {
    id: "users.duplicate_email_case",
    title: "Two accounts share an address up to letter case or Unicode form",
    severity: Severity::Error,
    entity: Entity::User,
    table: "users",
    explanation: "Another account has the same address written with different capitals \
                  or another Unicode form of the same letters (é as one character or as e \
                  plus an accent); the flagged account is the older one. Find out which one the person uses \
                  before merging or disabling; this is not fixed automatically.",
    guards_edits: true,
    check: Check::Duplicates {
        key: |email| email.to_lowercase().nfc().collect(),
        sql: |b, _, s| {
        let mut q = q(&format!("SELECT MIN(id) AS id FROM users WHERE {}", b.is_ascii("email")));
        if let Scope::Ids(ids) = s {
            // SQLite and PostgreSQL find the addresses through the
            // index on LOWER(email); MariaDB through the one on email,
            // whose collation ignores case already.
            let col = match b {
                Backend::Mysql => "email",
                _ => "LOWER(email)",
            };
            q.sql(format!(
                " AND {col} IN (SELECT {col} FROM users WHERE id IN "
            ))
            .bind_list(ids.iter().copied())
            .sql(")");
        }
        q.sql(format!(
            " GROUP BY {} HAVING COUNT(*) > 1",
            b.exact("LOWER(email)")
        ));
        q
    },
    },
};

pub(crate) const EMAIL_NOT_NORMALIZED: Rule = Rule {
    id: "users.email_not_normalized",
    title: "Normalised address is not the address in lower case",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The stored normalised form of the address is not the address in lower \
                  case, so sign-in by address and duplicate checks miss this account. \
                  Normalising it is a safe fix unless another account already has that \
                  address; then it is a duplicate account and needs a person.",
    guards_edits: true,
    check: Check::Emails {
        flags: |email, normalized| normalized != email.to_lowercase(),
        // For an all-ASCII address every dialect's LOWER agrees with
        // Rust's; only the others need the Unicode-aware test.
        candidates: Some(|b| {
            format!(
                "({} <> {} OR NOT ({}))",
                b.exact(&b.text("email_normalized")),
                b.exact("LOWER(email)"),
                b.is_ascii("email")
            )
        }),
    },
};

pub(crate) const UNVERIFIED_STALE: Rule = Rule {
    id: "users.unverified_stale",
    title: "Unverified for a long time",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The address was never verified, long after the account was created. \
                  Send a verification reminder, or disable the account if it is abandoned.",
    guards_edits: false,
    check: Check::Sql(|_, p, s| {
        let mut q = q("SELECT id FROM users WHERE email_verified_at IS NULL AND created_at < ");
        q.bind(p.now - Duration::days(p.unverified_days));
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const LOCKED_WITHOUT_REASON: Rule = Rule {
    id: "users.locked_without_reason",
    title: "Locked with no reason",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The account is locked but nobody recorded why, so support cannot tell \
                  the person what happened. Add the reason or unlock it.",
    guards_edits: true,
    check: Check::Sql(|_, p, s| {
        let mut q = q("SELECT id FROM users WHERE status = 'locked' \
             AND (lock_reason IS NULL OR lock_reason = '') \
             AND (locked_until IS NULL OR locked_until > ");
        q.bind(p.now).sql(")");
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const LOCK_EXPIRED: Rule = Rule {
    id: "users.lock_expired",
    title: "Lock expired but never cleared",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The lock's end has passed but the account is still marked locked. \
                  Unlocking it clears the status (a safe fix).",
    guards_edits: true,
    check: Check::Sql(|_, p, s| {
        let mut q = q("SELECT id FROM users WHERE status = 'locked' AND locked_until <= ");
        q.bind(p.now);
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const FAILED_COUNT_OVER_THRESHOLD: Rule = Rule {
    id: "users.failed_count_over_threshold",
    title: "Failed sign-ins at the lockout threshold, yet active",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The account reached the number of failed sign-ins that should have locked \
                  it and is still active: the lockout did not happen. Check for password \
                  guessing, then lock it or reset the counter.",
    guards_edits: true,
    check: Check::Sql(|_, p, s| {
        let mut q = q("SELECT id FROM users WHERE status = 'active' AND failed_login_count >= ");
        q.bind(p.lockout_threshold);
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const BAD_DISPLAY_NAME: Rule = Rule {
    id: "users.bad_display_name",
    title: "Display name empty, or with control or text-direction characters",
    severity: Severity::Warning,
    entity: Entity::User,
    table: "users",
    explanation: "The name is blank or contains invisible control characters, which break \
                  emails and exports, or text-direction controls (such as a right-to-left \
                  override), which make a name read as something else. Change the display name.",
    guards_edits: true,
    check: Check::Sql(|b, _, s| {
        let mut q = q(&format!(
            "SELECT id FROM users WHERE (TRIM(display_name) = '' OR {})",
            b.has_control_chars("display_name")
        ));
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const PRODUCTS_NEGATIVE_STOCK: Rule = Rule {
    id: "products.negative_stock",
    title: "Negative stock",
    severity: Severity::Error,
    entity: Entity::Product,
    table: "products",
    explanation: "More units were sold or reserved than were ever in stock. Count the \
                  shelf and correct the stock.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q("SELECT id FROM products WHERE stock < 0");
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const PRODUCTS_ACTIVE_NONPOSITIVE_PRICE: Rule = Rule {
    id: "products.active_nonpositive_price",
    title: "Active product with no price",
    severity: Severity::Error,
    entity: Entity::Product,
    table: "products",
    explanation: "The product is on sale for nothing (or less). Set its price or take it \
                  off sale.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q("SELECT id FROM products WHERE active = TRUE AND price_cents <= 0");
        s.and(&mut q, "id");
        q
    }),
};

pub(crate) const PRODUCTS_DUPLICATE_SKU: Rule = Rule {
    id: "products.duplicate_sku",
    title: "SKU repeated up to case and spaces",
    severity: Severity::Error,
    entity: Entity::Product,
    table: "products",
    explanation: "Another product has the same SKU once case and surrounding spaces are \
                  ignored; the flagged product is the older one. Decide which one is real \
                  before renaming; this is not fixed automatically.",
    guards_edits: true,
    check: Check::Sql(|_, _, s| {
        let mut q = q("SELECT MIN(id) AS id FROM products WHERE 1 = 1");
        if let Scope::Ids(ids) = s {
            q.sql(" AND LOWER(TRIM(sku)) IN (SELECT LOWER(TRIM(sku)) FROM products WHERE id IN ")
                .bind_list(ids.iter().copied())
                .sql(")");
        }
        q.sql(" GROUP BY LOWER(TRIM(sku)) HAVING COUNT(*) > 1");
        q
    }),
};
