//! Validation: a catalogue of rules swept over the whole database, stored
//! runs, and findings that stay open until fixed, accepted or resolved.

mod rules;
mod sweep;

pub use rules::{rule, Params, Rule, Severity, RULES};
pub use sweep::{run, RuleResult, RunReport};
