//! Validation: a catalogue of rules swept over the whole database, stored
//! runs, and findings that stay open until fixed, accepted or resolved.

mod findings;
mod rules;
mod sweep;

pub use findings::{accept, list, summary, Finding, FindingFilter, RuleCount};
pub use rules::{rule, Params, Rule, Severity, RULES};
pub use sweep::{run, RuleResult, RunReport};
