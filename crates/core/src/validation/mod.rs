//! Validation: a catalogue of rules swept over the whole database, stored
//! runs, and findings that stay open until fixed, accepted or resolved.

mod catalogue;
mod entity;
mod findings;
mod fix_catalogue;
mod fix_plans;
mod fixes;
mod flagged;
mod guard;
pub mod mapped;
mod record;
mod rules;
mod sweep;

pub use catalogue::{catalogue, RuleInfo};
pub use entity::Entity;
pub use findings::{accept, last_run, list, summary, Finding, FindingFilter, LastRun, RuleCount};
pub use fix_catalogue::{fix, fix_for_rule, Fix, FIXES};
pub use fixes::{
    apply as apply_fix, preview as preview_fix, EntityFix, FieldChange, FixPreview, FixReport,
    RowChange, Skipped, MAX_FIX_RECORDS,
};
pub(crate) use guard::{Guard, Touched, Watch};
pub use rules::{rule, Params, Rule, Severity, RULES};
pub use sweep::{run, RuleResult, RunReport};
