//! The order lifecycle: pending → paid → packed → shipped → delivered;
//! pending, paid and packed can be cancelled; paid and later can be
//! refunded. Every refusal says why, in words a support agent can pass on.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Paid,
    Packed,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

/// The forward path, in order.
const PATH: [OrderStatus; 5] = [
    OrderStatus::Pending,
    OrderStatus::Paid,
    OrderStatus::Packed,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
];

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Packed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Packed => "packed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// The timestamp column a move into this status sets.
    pub fn stamp_column(self) -> Option<&'static str> {
        match self {
            OrderStatus::Pending => None,
            OrderStatus::Paid => Some("paid_at"),
            OrderStatus::Packed => Some("packed_at"),
            OrderStatus::Shipped => Some("shipped_at"),
            OrderStatus::Delivered => Some("delivered_at"),
            OrderStatus::Cancelled => Some("cancelled_at"),
            OrderStatus::Refunded => Some("refunded_at"),
        }
    }

    /// Whether the order is closed for good.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }

    pub fn can_cancel(self) -> bool {
        matches!(
            self,
            OrderStatus::Pending | OrderStatus::Paid | OrderStatus::Packed
        )
    }

    /// The next status along the forward path, if there is one.
    pub fn next(self) -> Option<OrderStatus> {
        self.step().and_then(|i| PATH.get(i + 1)).copied()
    }

    fn step(self) -> Option<usize> {
        PATH.iter().position(|s| *s == self)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for OrderStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        OrderStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::validation(format!(
                    "unknown order status '{s}'; use one of {}",
                    OrderStatus::ALL.map(|s| s.as_str()).join(", ")
                ))
            })
    }
}

/// Why `from → to` is not allowed, or nothing when it is. Moving into
/// cancelled or refunded goes through cancel and refund, which do more
/// than change the status; this only rules on the status.
pub fn refusal(from: OrderStatus, to: OrderStatus) -> Option<String> {
    if from == to {
        return Some(format!("the order is already {from}"));
    }
    if from.is_final() {
        return Some(format!("a {from} order is closed: it cannot become {to}"));
    }
    match to {
        OrderStatus::Cancelled if !from.can_cancel() => {
            return Some(format!(
                "a {from} order cannot be cancelled; refund it instead"
            ))
        }
        OrderStatus::Cancelled => return None,
        OrderStatus::Refunded => {
            return Some(
                "an order becomes refunded when its whole amount is refunded: refund it instead"
                    .into(),
            )
        }
        _ => {}
    }
    let (Some(f), Some(t)) = (from.step(), to.step()) else {
        return Some(format!("a {from} order cannot become {to}"));
    };
    if t < f {
        return Some(format!("a {from} order cannot go back to {to}"));
    }
    if t > f + 1 {
        return Some(format!(
            "a {from} order must be {} before it can be {to}",
            PATH[f + 1]
        ));
    }
    None
}

/// `Ok` when `from → to` is allowed, else a validation error with the reason.
pub fn check_move(from: OrderStatus, to: OrderStatus) -> Result<()> {
    match refusal(from, to) {
        Some(why) => Err(Error::Validation(why)),
        None => Ok(()),
    }
}

/// The reference schema's lifecycle as a mapping declares one: the same
/// rules as [`refusal`], in the form every other back end states its own.
pub fn declared_lifecycle() -> crate::mapping::Lifecycle {
    let words = |pick: fn(OrderStatus) -> bool| -> Vec<String> {
        OrderStatus::ALL
            .into_iter()
            .filter(|s| pick(*s))
            .map(|s| s.as_str().to_string())
            .collect()
    };
    crate::mapping::Lifecycle {
        statuses: words(|_| true),
        moves: OrderStatus::ALL
            .into_iter()
            .map(|from| {
                let to = OrderStatus::ALL
                    .into_iter()
                    .filter(|to| refusal(from, *to).is_none())
                    .map(|to| to.as_str().to_string())
                    .collect::<Vec<_>>();
                (from.as_str().to_string(), to)
            })
            .filter(|(_, to)| !to.is_empty())
            .collect(),
        cancelled: words(|s| s == OrderStatus::Cancelled),
        refunded: words(|s| s == OrderStatus::Refunded),
        closed: words(OrderStatus::is_final),
        refundable: words(|s| !s.is_final() && s != OrderStatus::Pending),
        shipped: words(|s| matches!(s, OrderStatus::Shipped | OrderStatus::Delivered)),
        stamps: OrderStatus::ALL
            .into_iter()
            .filter_map(|s| Some((s.as_str().to_string(), s.stamp_column()?.to_string())))
            .collect(),
        changed_elsewhere: None,
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;
    use super::*;

    #[test]
    fn only_the_next_step_or_a_cancel_is_allowed() {
        let allowed = [
            (Pending, Paid),
            (Paid, Packed),
            (Packed, Shipped),
            (Shipped, Delivered),
            (Pending, Cancelled),
            (Paid, Cancelled),
            (Packed, Cancelled),
        ];
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let ok = refusal(from, to).is_none();
                assert_eq!(ok, allowed.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn the_declaration_allows_exactly_what_the_rules_allow() {
        let d = declared_lifecycle();
        assert!(d.undeclared().is_empty(), "{:?}", d.undeclared());
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                assert_eq!(
                    d.refusal(from.as_str(), to.as_str()).is_none(),
                    refusal(from, to).is_none(),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        assert_eq!(
            refusal(Shipped, Cancelled).unwrap(),
            "a shipped order cannot be cancelled; refund it instead"
        );
        assert_eq!(
            refusal(Pending, Shipped).unwrap(),
            "a pending order must be paid before it can be shipped"
        );
        assert_eq!(
            refusal(Delivered, Paid).unwrap(),
            "a delivered order cannot go back to paid"
        );
        assert_eq!(
            refusal(Cancelled, Paid).unwrap(),
            "a cancelled order is closed: it cannot become paid"
        );
        assert!(refusal(Paid, Refunded)
            .unwrap()
            .contains("refund it instead"));
        assert_eq!(refusal(Paid, Paid).unwrap(), "the order is already paid");
    }

    #[test]
    fn statuses_parse_loosely_and_refuse_unknowns() {
        assert_eq!(" Shipped ".parse::<OrderStatus>().unwrap(), Shipped);
        assert!("sent".parse::<OrderStatus>().is_err());
    }
}
