//! `users …` on a back end served through its mapping (Django, Devise,
//! Laravel, a legacy schema): search in the back end's key order, and the
//! sign-in trouble card.

use backoffice_core::mapping::Mapping;
use backoffice_core::session::Ctx;
use backoffice_core::users::mapped::indexes::in_place;
use backoffice_core::users::mapped::{apply, card, search, MappedCard, MappedUser};
use backoffice_core::{Error, Result};

use crate::output::{page_table, Out};
use crate::users::{action, truncate, SearchArgs, UsersCommand};

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn row(u: &MappedUser) -> String {
    format!(
        "{:>12}  {:<32} {:<24} {:<9} {:<6} {:<3} {}",
        truncate(&u.key, 12),
        truncate(&u.email, 32),
        truncate(&u.name, 24),
        u.state.as_deref().unwrap_or("-"),
        yes_no(u.locked),
        yes_no(u.verified),
        u.last_sign_in.map_or("never".to_string(), |t| t
            .format("%Y-%m-%d %H:%M")
            .to_string()),
    )
}

async fn run_search(ctx: &Ctx<'_>, m: &Mapping, args: SearchArgs, out: &Out) -> Result<()> {
    let given = args.not_for_mapped();
    if !given.is_empty() {
        return Err(Error::validation(format!(
            "{} {} not available on a back end read through its mapping in this version; \
             its users are listed in the back end's key order",
            given.join(", "),
            if given.len() == 1 { "is" } else { "are" }
        )));
    }
    let page = search(ctx, m, &args.query()?, &args.paging.page()).await?;
    let json = args.paging.out(out);
    if !args.query.trim().is_empty() && !json.json {
        if let Ok(Some(false)) = in_place(ctx.db, m).await {
            eprintln!(
                "note: no search index on this back end, so this search scanned the users \
                 table; `backoffice schema indexes` proposes one"
            );
        }
    }
    json.show(&page, || {
        let header = format!(
            "{:>12}  {:<32} {:<24} {:<9} {:<6} {:<3} {}",
            "key", "email", "name", "state", "locked", "ok", "last sign-in"
        );
        page_table(header, &page, row)
    });
    Ok(())
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or("never".into(), |t| {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    })
}

fn render(c: &MappedCard) -> String {
    let u = &c.user;
    let mut s = vec![format!(
        "user {}  {}  \"{}\"  version {}",
        u.key, u.email, u.name, c.version
    )];
    s.push(format!(
        "  state {}  locked {}  email verified {}",
        u.state.as_deref().unwrap_or("-"),
        yes_no(u.locked),
        yes_no(u.verified)
    ));
    if let Some(p) = &u.pending_email {
        s.push(format!("  new address waiting for confirmation {p}"));
    }
    if let Some(n) = u.failed_attempts {
        s.push(format!("  failed sign-ins {n}"));
    }
    s.push(format!("  last sign-in {}", when(u.last_sign_in)));
    if u.created.is_some() {
        s.push(format!("  created {}", when(u.created)));
    }
    if let Some(roles) = &c.roles {
        let shown = if roles.is_empty() {
            "none".into()
        } else {
            roles.join(", ")
        };
        s.push(format!("  roles {shown}"));
    }
    if let Some(history) = &c.sign_ins {
        s.push(format!("recent sign-ins ({})", history.len()));
        for h in history {
            let ok = match h.succeeded {
                Some(true) => "ok",
                Some(false) => "failed",
                None => "",
            };
            s.push(format!(
                "  {}  {ok:<6} {}",
                when(h.at),
                h.ip.as_deref().unwrap_or("")
            ));
        }
    }
    let can: Vec<&str> = c
        .actions
        .iter()
        .filter(|a| a.available)
        .map(|a| a.action)
        .collect();
    s.push(format!(
        "actions {}",
        if can.is_empty() {
            "none".to_string()
        } else {
            can.join(", ")
        }
    ));
    for n in &c.not_known {
        s.push(format!("- {n}"));
    }
    s.join("\n")
}

pub async fn run(ctx: &Ctx<'_>, m: &Mapping, cmd: UsersCommand, out: &Out) -> Result<()> {
    match cmd {
        UsersCommand::Search(args) => run_search(ctx, m, args, out).await,
        UsersCommand::Show { user } => {
            let c = card(ctx, m, &user).await?;
            out.show(&c, || render(&c));
            Ok(())
        }
        UsersCommand::RevealEmail { .. } => Err(Error::validation(
            "reveal-email works on the reference schema; on this back end an admin's `users show` \
             shows addresses in full",
        )),
        other => {
            let (at, act, reason) = action(other, ctx.now)?;
            let name = act.audit_name();
            let c = apply(ctx, m, &at.id, &at.version, act, reason.as_deref()).await?;
            out.show(&c, || {
                format!(
                    "{name}: user {} changed (version {})\n{}",
                    c.user.key,
                    c.version,
                    render(&c)
                )
            });
            Ok(())
        }
    }
}
