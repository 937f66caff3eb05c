//! A back end's order lifecycle, declared in its mapping: the status
//! words, the moves between them, what each word means to the console
//! (cancelled, refunded, closed, shipped), and the timestamp column a move
//! into a status sets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The lifecycle section of a mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Every status word the back end uses, as stored.
    pub statuses: Vec<String>,
    /// The moves allowed from each status (Oscar's
    /// OSCAR_ORDER_STATUS_PIPELINE). A status with no entry has none.
    #[serde(default)]
    pub moves: BTreeMap<String, Vec<String>>,
    /// Statuses that mean the order was cancelled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled: Vec<String>,
    /// Statuses that mean the order was refunded in full.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refunded: Vec<String>,
    /// Statuses after which nothing changes (no refund either).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<String>,
    /// Statuses from which a refund may be recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refundable: Vec<String>,
    /// Statuses that mean the goods left (the shipped email).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipped: Vec<String>,
    /// A timestamp column on the order set to now by a move into a status.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stamps: BTreeMap<String, String>,
    /// Where only the back end's own code may change an order (Solidus'
    /// state machine voids payments, cancels shipments and restocks as it
    /// moves one): why, in a sentence the console answers every
    /// transition, cancel and refund with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_elsewhere: Option<String>,
}

impl Lifecycle {
    pub fn declares(&self, status: &str) -> bool {
        self.statuses.iter().any(|s| s == status)
    }

    /// Every status word the lifecycle names outside `statuses`, where
    /// (for the message), that `statuses` does not list.
    pub fn undeclared(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut see = |place: String, word: &String| {
            if !self.declares(word) {
                out.push(format!(
                    "lifecycle.{place}: '{word}' is not one of lifecycle.statuses"
                ));
            }
        };
        for (from, tos) in &self.moves {
            see("moves".into(), from);
            for to in tos {
                see(format!("moves.{from}"), to);
            }
        }
        for (name, list) in [
            ("cancelled", &self.cancelled),
            ("refunded", &self.refunded),
            ("closed", &self.closed),
            ("refundable", &self.refundable),
            ("shipped", &self.shipped),
        ] {
            for word in list {
                see(name.into(), word);
            }
        }
        for word in self.stamps.keys() {
            see("stamps".into(), word);
        }
        if self.statuses.is_empty() {
            out.push("lifecycle.statuses: lists no status".into());
        }
        let mut seen = Vec::new();
        for s in &self.statuses {
            if s.trim().is_empty() {
                out.push("lifecycle.statuses: a status is empty".into());
            } else if seen.contains(&s) {
                out.push(format!("lifecycle.statuses: '{s}' is listed twice"));
            }
            seen.push(s);
        }
        out
    }

    /// Why a move `from → to` is not allowed, or nothing when it is.
    pub fn refusal(&self, from: &str, to: &str) -> Option<String> {
        if !self.declares(to) {
            return Some(format!(
                "'{to}' is not a status of this shop; it has {}",
                self.statuses.join(", ")
            ));
        }
        if from == to {
            return Some(format!("the order is already {from}"));
        }
        let allowed = self.moves.get(from).map(Vec::as_slice).unwrap_or_default();
        if allowed.iter().any(|s| s == to) {
            return None;
        }
        if !self.declares(from) {
            return Some(format!(
                "the order's status '{from}' is not one the mapping declares; \
                 add it to lifecycle.statuses before moving the order"
            ));
        }
        Some(if allowed.is_empty() {
            format!("a {from} order cannot move to any other status")
        } else {
            format!(
                "a {from} order cannot become {to}; it can become {}",
                allowed.join(" or ")
            )
        })
    }
}
