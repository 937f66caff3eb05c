//! `operator add|list`.

use chrono::Utc;
use clap::{Args, Subcommand};

use backoffice_core::operators::{add_operator, list_operators, NewOperator, Role};
use backoffice_core::session::Ctx;
use backoffice_core::Result;

use crate::input;
use crate::output::Out;
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum OperatorCommand {
    /// Add a console operator. The first one needs no sign-in; later ones
    /// need an admin (--operator).
    Add(AddArgs),
    /// List operators (admins only).
    List,
}

#[derive(Args)]
pub struct AddArgs {
    name: String,
    /// admin or support
    #[arg(long)]
    role: Role,
    /// Read the new operator's password from standard input (first line).
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(
    cmd: OperatorCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let db = chosen.open(false).await?;
    match cmd {
        OperatorCommand::Add(args) => {
            // Signing in reads BACKOFFICE_PASSWORD, so the new password
            // comes from stdin or the prompt, never the same variable.
            let actor = match as_operator {
                Some(name) => Some(signin::operator(&db, Some(name)).await?),
                None => None,
            };
            let password = if args.password_stdin {
                input::secret_from_stdin("new operator's password")?
            } else {
                input::prompt_secret(
                    &format!("Password for new operator {}: ", args.name),
                    "no password for the new operator: use --password-stdin",
                )?
            };
            let info = add_operator(
                &db,
                actor.as_ref(),
                NewOperator {
                    username: args.name,
                    role: args.role,
                    password,
                },
                Utc::now(),
            )
            .await?;
            out.show(&info, || {
                format!(
                    "added operator '{}' ({})",
                    info.username,
                    info.role.as_str()
                )
            });
        }
        OperatorCommand::List => {
            let me = signin::operator(&db, as_operator).await?;
            let list = list_operators(&Ctx::new(&db, &me)).await?;
            out.show(&list, || {
                list.iter()
                    .map(|o| {
                        let mut flags = String::new();
                        if o.disabled {
                            flags.push_str(" [disabled]");
                        }
                        if let Some(t) = o.locked_until.filter(|t| *t > Utc::now()) {
                            flags.push_str(&format!(" [locked until {t}]"));
                        }
                        format!("{:<20} {:<8}{flags}", o.username, o.role.as_str())
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    db.close().await;
    Ok(())
}
