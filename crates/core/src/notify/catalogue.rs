//! The templates as the CLI and the console list them.

use serde::Serialize;

use super::Template;
use crate::operators::{allows, Role};

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TemplateInfo {
    pub template: Template,
    pub description: &'static str,
    /// About one order: the recipient is the order's customer.
    pub needs_order: bool,
    /// Written by support: needs a subject and a text.
    pub needs_message: bool,
    /// Whether the operator asking may send it (always true without one).
    pub allowed: bool,
}

/// Every template, with whether an operator of `role` may send it.
pub fn catalogue(role: Option<Role>) -> Vec<TemplateInfo> {
    Template::ALL
        .into_iter()
        .map(|t| TemplateInfo {
            template: t,
            description: t.describe(),
            needs_order: t.needs_order(),
            needs_message: t == Template::SupportMessage,
            allowed: role.is_none_or(|r| allows(r, t.permission())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_template_says_what_it_needs_and_who_may_send_it() {
        let all = catalogue(None);
        assert_eq!(all.len(), Template::ALL.len());
        assert!(all.iter().all(|t| t.allowed));
        for role in [Role::Admin, Role::Support] {
            for info in catalogue(Some(role)) {
                assert_eq!(info.allowed, allows(role, info.template.permission()));
            }
        }
        let shipped = &all[Template::ALL
            .iter()
            .position(|t| *t == Template::OrderShipped)
            .unwrap()];
        assert!(shipped.needs_order && !shipped.needs_message);
        let support = &all[Template::ALL
            .iter()
            .position(|t| *t == Template::SupportMessage)
            .unwrap()];
        assert!(support.needs_message && !support.needs_order);
    }
}
