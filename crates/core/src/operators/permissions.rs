//! The one table of who may do what. Deny by default: a role may do only
//! what is listed for it here, and every core operation asks [`allows`]
//! before it touches data.

use serde::Serialize;

use super::Role;

/// Everything an operator can be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Search users and open their sign-in trouble card.
    ReadUsers,
    /// See email addresses unmasked in lists without asking.
    SeeEmails,
    /// Reveal one masked email address (audited).
    RevealEmail,
    /// Lock and unlock accounts, reset the failed sign-in counter.
    LockUsers,
    /// Resend email verification and password reset.
    SendAccountEmails,
    ChangeEmail,
    ChangeDisplayName,
    DisableUsers,
    ManageRoles,
    ReadOrders,
    WriteOrderNotes,
    /// Move orders along the lifecycle and cancel them (restocking).
    ChangeOrders,
    /// Refund orders, partly or fully: admin only.
    Refund,
    SendNotifications,
    ReadAudit,
    ManageOperators,
    /// Run validation sweeps and accept findings.
    RunValidation,
    /// Read the findings worklist.
    ReadFindings,
    /// Apply the catalogue's mechanical fixes to findings: admin only.
    ApplyFixes,
    /// Read the mapping in effect and the console's tables, and build the
    /// proposed search indexes: admin only.
    ManageSchema,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ReadUsers,
        Permission::SeeEmails,
        Permission::RevealEmail,
        Permission::LockUsers,
        Permission::SendAccountEmails,
        Permission::ChangeEmail,
        Permission::ChangeDisplayName,
        Permission::DisableUsers,
        Permission::ManageRoles,
        Permission::ReadOrders,
        Permission::WriteOrderNotes,
        Permission::ChangeOrders,
        Permission::Refund,
        Permission::SendNotifications,
        Permission::ReadAudit,
        Permission::ManageOperators,
        Permission::RunValidation,
        Permission::ReadFindings,
        Permission::ApplyFixes,
        Permission::ManageSchema,
    ];
}

/// What the support role may do; the admin role may do everything.
const SUPPORT: &[Permission] = &[
    Permission::ReadUsers,
    Permission::RevealEmail,
    Permission::LockUsers,
    Permission::SendAccountEmails,
    Permission::ReadOrders,
    Permission::WriteOrderNotes,
    Permission::ChangeOrders,
    Permission::SendNotifications,
    Permission::ReadFindings,
];

pub fn allows(role: Role, permission: Permission) -> bool {
    match role {
        Role::Admin => true,
        Role::Support => SUPPORT.contains(&permission),
    }
}

impl Permission {
    /// What the permission lets one do, for refusals ("… may not change
    /// email addresses").
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ReadUsers => "read users",
            Permission::SeeEmails => "see email addresses unmasked",
            Permission::RevealEmail => "reveal email addresses",
            Permission::LockUsers => "lock or unlock accounts",
            Permission::SendAccountEmails => "send verification or password reset emails",
            Permission::ChangeEmail => "change email addresses",
            Permission::ChangeDisplayName => "change display names",
            Permission::DisableUsers => "disable or enable accounts",
            Permission::ManageRoles => "grant or revoke roles",
            Permission::ReadOrders => "read orders",
            Permission::WriteOrderNotes => "write order notes",
            Permission::ChangeOrders => "change orders",
            Permission::Refund => "refund orders",
            Permission::SendNotifications => "send notifications",
            Permission::ReadAudit => "read the audit log",
            Permission::ManageOperators => "manage operators",
            Permission::RunValidation => "run validation or accept findings",
            Permission::ReadFindings => "read validation findings",
            Permission::ApplyFixes => "apply fixes to findings",
            Permission::ManageSchema => "manage the schema mapping and search indexes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_is_denied_what_is_not_listed() {
        for p in [
            Permission::ChangeEmail,
            Permission::DisableUsers,
            Permission::ManageRoles,
            Permission::Refund,
            Permission::ManageOperators,
            Permission::SeeEmails,
            Permission::ApplyFixes,
            Permission::ManageSchema,
        ] {
            assert!(!allows(Role::Support, p), "{p:?}");
            assert!(allows(Role::Admin, p), "{p:?}");
        }
        assert!(allows(Role::Support, Permission::LockUsers));
        assert!(allows(Role::Support, Permission::ReadUsers));
        assert!(allows(Role::Support, Permission::ChangeOrders));
    }

    #[test]
    fn all_lists_every_permission_once() {
        // A permission missing from ALL would never reach the window.
        let names: std::collections::BTreeSet<String> =
            Permission::ALL.iter().map(|p| format!("{p:?}")).collect();
        assert_eq!(names.len(), Permission::ALL.len());
        for p in Permission::ALL {
            // Exhaustive: a new variant fails to compile here until listed.
            match p {
                Permission::ReadUsers
                | Permission::SeeEmails
                | Permission::RevealEmail
                | Permission::LockUsers
                | Permission::SendAccountEmails
                | Permission::ChangeEmail
                | Permission::ChangeDisplayName
                | Permission::DisableUsers
                | Permission::ManageRoles
                | Permission::ReadOrders
                | Permission::WriteOrderNotes
                | Permission::ChangeOrders
                | Permission::Refund
                | Permission::SendNotifications
                | Permission::ReadAudit
                | Permission::ManageOperators
                | Permission::RunValidation
                | Permission::ReadFindings
                | Permission::ApplyFixes
                | Permission::ManageSchema => {}
            }
        }
        assert_eq!(Permission::ALL.len(), 20);
    }
}
