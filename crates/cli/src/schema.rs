//! `attach` and `schema`: the console's tables beside a back end's.

use clap::Subcommand;

use std::path::PathBuf;

use backoffice_core::db::{console_ddl, Backend};
use backoffice_core::mapping::check::{self, Problem};
use backoffice_core::mapping::detect::{self, capabilities, Capability};
use backoffice_core::mapping::{self as mapping_mod, Mapping};
use backoffice_core::{Error, Result};

use crate::output::Out;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum SchemaCommand {
    /// Print the statements that create the console's tables, for an
    /// administrator of the database to run (nothing is executed).
    Sql {
        /// The engine to print for, when no database is chosen.
        #[arg(long)]
        backend: Option<Backend>,
    },
    /// Where the console's tables stand in the chosen database.
    Status,
    /// Read the database's catalogue, recognise what the back end is built
    /// with, propose a mapping and say what works on it.
    Detect {
        /// Write the proposed mapping to this file.
        #[arg(long)]
        write: Option<PathBuf>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check the mapping in effect against the database: one line per
    /// problem, exit 2 if there is any.
    Check,
    /// Print the mapping in effect and what it lets the console do.
    Show,
    /// Propose the indexes that make user search and the order sweep fast
    /// on this back end, with their statements and size; `--apply` builds
    /// what is missing.
    Indexes {
        #[arg(long)]
        apply: bool,
    },
}

fn capability_lines(caps: &[Capability]) -> Vec<String> {
    caps.iter()
        .map(|c| {
            format!(
                "  {} {:<16} {}",
                if c.works { "yes" } else { "no " },
                c.name,
                c.detail
            )
        })
        .collect()
}

/// Creates or updates the console's tables beside the back end's.
pub async fn attach(chosen: &Chosen<'_>, out: &Out) -> Result<()> {
    let db = chosen.connect().await?;
    let report = db.attach().await;
    let label = db.label().to_string();
    db.close().await;
    let report = report?;
    out.show(&report, || {
        if report.applied.is_empty() {
            format!(
                "{label}: the console's tables are already in place (version {})",
                report.version
            )
        } else {
            let mut lines = vec![format!(
                "{label}: attached; the console's tables are at version {}",
                report.version
            )];
            lines.extend(report.applied.iter().map(|a| format!("  applied {a}")));
            lines.join("\n")
        }
    });
    Ok(())
}

pub async fn run(cmd: SchemaCommand, chosen: &Chosen<'_>, out: &Out) -> Result<()> {
    match cmd {
        SchemaCommand::Sql { backend } => {
            let backend = match backend {
                Some(b) => b,
                None => chosen.backend()?,
            };
            let sql = console_ddl(backend);
            out.show(
                &serde_json::json!({ "backend": backend, "sql": sql }),
                || sql.trim_end().to_string(),
            );
            Ok(())
        }
        SchemaCommand::Detect { write, force } => {
            let db = chosen.connect().await?;
            let found = detect::detect(&db).await;
            db.close().await;
            let found = found?;
            if let Some(path) = &write {
                if path.exists() && !force {
                    return Err(Error::Conflict(format!(
                        "{} exists; pass --force to overwrite it",
                        path.display()
                    )));
                }
                found.mapping.save(path)?;
            }
            out.show(&found, || {
                let mut lines = vec![format!(
                    "recognised: {} ({} tables)",
                    found.preset, found.tables
                )];
                lines.extend(capability_lines(&found.capabilities));
                lines.extend(found.notes.iter().map(|n| format!("note: {n}")));
                match &write {
                    Some(path) => {
                        lines.push(format!("wrote the proposed mapping to {}", path.display()))
                    }
                    None => lines.push("(--write FILE saves the proposed mapping)".into()),
                }
                lines.join("\n")
            });
            Ok(())
        }
        SchemaCommand::Check => {
            let db = chosen.connect().await?;
            let result = async {
                let m = mapping_mod::in_effect(&db, chosen.mapping_file()?.as_deref()).await?;
                check::check(&db, &m).await
            }
            .await;
            db.close().await;
            let problems: Vec<Problem> = result?;
            if problems.is_empty() {
                out.show(&problems, || "the mapping fits the database".into());
                return Ok(());
            }
            out.show(&problems, || {
                problems
                    .iter()
                    .map(Problem::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Err(Error::validation(format!(
                "{} problem{} with the mapping (listed above): fix the mapping or the database",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            )))
        }
        SchemaCommand::Show => {
            let db = chosen.connect().await?;
            let m: Result<Mapping> =
                mapping_mod::in_effect(&db, chosen.mapping_file()?.as_deref()).await;
            db.close().await;
            let m = m?;
            let caps = capabilities(&m);
            out.show(
                &serde_json::json!({ "mapping": m, "capabilities": caps }),
                || {
                    let mut text = m.to_toml();
                    text.push_str("\n# What this mapping lets the console do:\n");
                    for line in capability_lines(&caps) {
                        text.push_str(&format!("#{line}\n"));
                    }
                    text.trim_end().to_string()
                },
            );
            Ok(())
        }
        SchemaCommand::Indexes { apply } => crate::indexes::run(chosen, apply, out).await,
        SchemaCommand::Status => {
            let db = chosen.connect().await?;
            let status = db.schema_status().await;
            let label = db.label().to_string();
            db.close().await;
            let status = status?;
            out.show(&status, || format!("{label}: {}", status.describe()));
            Ok(())
        }
    }
}
