//! Validation over a back end of its own: the catalogue's rules the
//! mapping can express, swept over the back end's tables (never written),
//! with findings recorded in the console's tables as on the reference
//! schema. Every rule says what it needs; where the mapping lacks it, the
//! rule is listed as unavailable with the reason, and never run.

mod checks;
mod guard;
mod run;

use super::rules::RULES;
use super::{Entity, RuleInfo, Severity};
use crate::db::Db;
use crate::mapping::catalogue::Kind;
use crate::mapping::query::{Key, Sql};
use crate::mapping::Mapping;
use crate::Result;
use checks::Plan;

pub(crate) use checks::{On, Records};
pub(crate) use guard::{flagged, Guarded};
pub use run::run;

/// Which of the mapping's records a rule reads (for its table's size).
#[derive(Clone, Copy)]
enum Reads {
    Users,
    Orders,
    Stock,
}

/// A rule over a mapping. Its id is the reference rule's where it checks
/// the same thing.
pub struct MappedRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub entity: Entity,
    pub explanation: &'static str,
    reads: Reads,
    check: fn(&On) -> std::result::Result<Plan, String>,
}

static MAPPED_RULES: &[MappedRule] = &[
    MappedRule {
        id: "users.invalid_email",
        title: "Email address is not valid",
        severity: Severity::Error,
        entity: Entity::User,
        explanation: "The address does not parse as an RFC 5322 address, so no email can \
                      reach this person. Ask them for a correct address and change it in the \
                      back end. (A blank address is no address, and is not flagged.)",
        reads: Reads::Users,
        check: checks::invalid_email,
    },
    MappedRule {
        id: "users.duplicate_email_case",
        title: "Two accounts share an address up to letter case",
        severity: Severity::Error,
        entity: Entity::User,
        explanation: "Another account has the same address written with different capitals; \
                      the flagged account is the older one. Find out which one the person \
                      uses before merging or disabling; this is not fixed automatically.",
        reads: Reads::Users,
        check: checks::duplicate_email_case,
    },
    MappedRule {
        id: "orders.total_mismatch",
        title: "Total does not add up",
        severity: Severity::Error,
        entity: Entity::Order,
        explanation: "The order's total is not its lines plus any fees, shipping, tax and \
                      adjustments less its discount, as the mapping names them. Check whether the \
                      customer was charged the wrong amount; the back end's own tools \
                      correct it.",
        reads: Reads::Orders,
        check: checks::total_mismatch,
    },
    MappedRule {
        id: "orders.no_items",
        title: "Order without items",
        severity: Severity::Warning,
        entity: Entity::Order,
        explanation: "The order has no lines at all, so nothing says what was bought.",
        reads: Reads::Orders,
        check: checks::no_items,
    },
    MappedRule {
        id: "referential.dangling_order_item",
        title: "A line's product no longer exists",
        severity: Severity::Error,
        entity: Entity::Order,
        explanation: "One of the order's lines points at a product that is not in the \
                      products table any more; its story cannot say what was bought.",
        reads: Reads::Orders,
        check: checks::dangling_product,
    },
    MappedRule {
        id: "products.negative_stock",
        title: "Negative stock",
        severity: Severity::Error,
        entity: Entity::Stock,
        explanation: "A stock row holds fewer than zero units. Count the stock and correct \
                      it in the back end.",
        reads: Reads::Stock,
        check: checks::negative_stock,
    },
    MappedRule {
        id: "stock.over_allocated",
        title: "More allocated than in stock",
        severity: Severity::Error,
        entity: Entity::Stock,
        explanation: "More units are set aside for placed orders than the stock row holds, \
                      so an order cannot be shipped as placed (often a stock count \
                      corrected by hand). Count the stock, then correct it in the back end.",
        reads: Reads::Stock,
        check: checks::over_allocated,
    },
];

/// The rule over a mapping with this id.
pub(crate) fn rule(id: &str) -> Option<&'static MappedRule> {
    MAPPED_RULES.iter().find(|r| r.id == id)
}

impl On<'_> {
    /// What the catalogue says of the mapping's keys.
    async fn read<'m>(db: &Db, m: &'m Mapping) -> Result<On<'m>> {
        async fn kind(db: &Db, t: Option<(&str, &str)>) -> Result<Option<Kind>> {
            Ok(match t {
                Some((table, key)) => Some(Key::of(db, table, key, "t", "record").await?.kind),
                None => None,
            })
        }
        let user = kind(
            db,
            m.user.as_ref().map(|u| (u.table.as_str(), u.key.as_str())),
        )
        .await?;
        let order = kind(
            db,
            m.order.as_ref().map(|o| (o.table.as_str(), o.key.as_str())),
        )
        .await?;
        let number = kind(
            db,
            m.order
                .as_ref()
                .and_then(|o| Some((o.table.as_str(), o.number.as_deref()?))),
        )
        .await?;
        let stock = kind(
            db,
            m.stock.as_ref().map(|s| (s.table.as_str(), s.key.as_str())),
        )
        .await?;
        let stock_by = kind(
            db,
            m.stock
                .as_ref()
                .zip(m.stock_by())
                .map(|(s, by)| (s.table.as_str(), by)),
        )
        .await?;
        Ok(On {
            m,
            s: Sql::of(db),
            user_key: user,
            order_key: order,
            order_number: number,
            stock_key: stock,
            stock_by,
            scope: None,
        })
    }

    fn reads(&self, r: Reads) -> Option<&str> {
        match r {
            Reads::Users => self.m.user.as_ref().map(|u| u.table.as_str()),
            Reads::Orders => self.m.order.as_ref().map(|o| o.table.as_str()),
            Reads::Stock => self.m.stock.as_ref().map(|s| s.table.as_str()),
        }
    }
}

/// Every rule of the catalogue, as it stands on this back end: those the
/// mapping expresses, with why any cannot run, then the reference
/// schema's rules not written over a mapping. Those that run guard the
/// console's edits of the records they read. No fix is offered: the
/// corrections they call for need a person and the back end's own tools.
pub async fn catalogue_on(db: &Db, mapping: &Mapping) -> Result<Vec<RuleInfo>> {
    let on = On::read(db, mapping).await?;
    let info = |id, title, severity, entity, explanation, unavailable: Option<String>| RuleInfo {
        id,
        title,
        severity,
        entity,
        explanation,
        guards_edits: unavailable.is_none(),
        fix: None,
        unavailable,
    };
    let mut out: Vec<RuleInfo> = MAPPED_RULES
        .iter()
        .map(|r| {
            let why = (r.check)(&on).err();
            info(r.id, r.title, r.severity, r.entity, r.explanation, why)
        })
        .collect();
    let reference_only = "it reads what the reference schema keeps, and is not expressed \
                          through a mapping in this version";
    out.extend(RULES.iter().filter(|r| rule(r.id).is_none()).map(|r| {
        let why = Some(reference_only.to_string());
        info(r.id, r.title, r.severity, r.entity, r.explanation, why)
    }));
    Ok(out)
}
