//! Text for people, JSON for programs; one line on stderr for errors.

use std::process::ExitCode;

use backoffice_core::error::ErrorBody;
use backoffice_core::page::{Page, PageRequest};
use backoffice_core::{Error, ErrorCode};
use clap::{Args, ValueEnum};
use serde::Serialize;

pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON, or `text` for people.
    pub fn show<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("error: cannot encode the result: {e}"),
            }
        } else {
            let text = text();
            if !text.is_empty() {
                println!("{text}");
            }
        }
    }

    /// Reports the error and picks the exit code: 2 for bad input, 3 not
    /// found, 4 conflict, 5 forbidden, 6 unavailable, 1 anything else.
    pub fn fail(&self, err: &Error) -> ExitCode {
        if self.json {
            let body = ErrorBody::from(err);
            eprintln!(
                "{}",
                serde_json::to_string(&serde_json::json!({ "error": body }))
                    .unwrap_or_else(|_| err.to_string())
            );
        } else {
            eprintln!("error: {err}");
        }
        ExitCode::from(match err.code() {
            ErrorCode::Validation => 2,
            ErrorCode::NotFound => 3,
            ErrorCode::Conflict => 4,
            ErrorCode::Forbidden => 5,
            ErrorCode::Unavailable => 6,
            ErrorCode::Internal => 1,
        })
    }
}

/// Formats a count with thousands separators: 1234567 → "1,234,567".
/// `--dry-run` / `--yes` for commands that change many records at once.
#[derive(clap::Args)]
pub struct Confirm {
    /// Show what would change, and change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Apply without asking (required unless --dry-run).
    #[arg(long)]
    pub yes: bool,
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// How a list is printed: one page as a table or JSON, or every match as CSV.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// Which page of a list, and how it is printed.
#[derive(Args)]
pub struct Paging {
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// The cursor printed after the previous page.
    #[arg(long)]
    pub after: Option<String>,
    /// csv writes every match, not one page.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

impl Paging {
    /// The page asked for.
    pub fn page(&self) -> PageRequest {
        PageRequest {
            after: self.after.clone(),
            limit: Some(self.limit),
        }
    }

    /// JSON when `--json` or `--format json`.
    pub fn out(&self, out: &Out) -> Out {
        Out {
            json: out.json || matches!(self.format, ListFormat::Json),
        }
    }

    pub fn csv(&self) -> bool {
        matches!(self.format, ListFormat::Csv)
    }
}

/// A page as a table: the header, one line per item, and a footer with
/// the count and the cursor of the next page.
pub fn page_table<T>(header: String, page: &Page<T>, line: impl Fn(&T) -> String) -> String {
    let mut lines = vec![header];
    lines.extend(page.items.iter().map(line));
    let mut foot = match page.total {
        Some(t) => format!("{} shown of {t} matching", page.items.len()),
        None => format!("{} shown", page.items.len()),
    };
    if let Some(next) = &page.next {
        foot.push_str(&format!("; next page: --after {next}"));
    }
    lines.push(foot);
    lines.join("\n")
}
