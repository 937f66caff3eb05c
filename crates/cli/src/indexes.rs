//! `schema indexes [--apply]`: what makes user search and the work over
//! orders fast on a back end the console did not design, and building it
//! when an administrator asks.

use backoffice_core::mapping as mapping_mod;
use backoffice_core::orders::mapped::indexes as orders;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::users::mapped::indexes::{self as search, IndexPlan};
use backoffice_core::Result;
use serde::Serialize;

use crate::output::Out;
use crate::target::Chosen;

/// Both plans; orders only where the mapping has them.
#[derive(Serialize)]
struct Plans {
    search: IndexPlan,
    orders: Option<IndexPlan>,
}

fn megabytes(bytes: i64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb < 1.0 {
        "under 1 MB".into()
    } else {
        format!("about {mb:.0} MB")
    }
}

/// One plan's lines; `without` says how the work goes without them.
fn render(plan: &IndexPlan, applied: bool, without: &str, lines: &mut Vec<String>) {
    if let Some(note) = &plan.note {
        lines.push(note.clone());
    }
    for p in &plan.proposals {
        lines.push(format!(
            "{} {}: {} ({})",
            if p.exists { "in place" } else { "missing " },
            p.name,
            p.purpose,
            megabytes(p.estimated_bytes)
        ));
        if !p.exists {
            lines.extend(p.ddl.iter().map(|d| format!("    {d};")));
        }
    }
    let missing = plan.proposals.iter().any(|p| !p.exists);
    if missing && !applied {
        lines.push(format!(
            "{without}; `schema indexes --apply` builds what is missing (PostgreSQL builds \
             concurrently, the back end keeps writing)"
        ));
    } else if !plan.proposals.is_empty() && !missing {
        lines.push("these indexes are in place".into());
    }
}

fn render_all(plans: &Plans, applied: bool) -> String {
    let mut lines = vec!["User search:".to_string()];
    render(
        &plans.search,
        applied,
        "search works without them, as a scan",
        &mut lines,
    );
    if let Some(o) = &plans.orders {
        lines.push("Orders:".into());
        render(
            o,
            applied,
            "the sweep works without it, reading the table",
            &mut lines,
        );
    }
    lines.join("\n")
}

pub async fn run(chosen: &Chosen<'_>, apply: bool, out: &Out) -> Result<()> {
    let db = chosen.connect().await?;
    let result: Result<Plans> = async {
        let m = mapping_mod::in_effect(&db, chosen.mapping_file()?.as_deref()).await?;
        let (none, cancel) = (NoProgress, CancelToken::new());
        let search = if apply {
            search::create(&db, &m, &none, &cancel).await?
        } else {
            search::propose(&db, &m).await?
        };
        let orders = match (&m.order, apply) {
            (None, _) => None,
            (Some(_), true) => Some(orders::create(&db, &m, &none, &cancel).await?),
            (Some(_), false) => Some(orders::propose(&db, &m).await?),
        };
        Ok(Plans { search, orders })
    }
    .await;
    db.close().await;
    let plans = result?;
    out.show(&plans, || render_all(&plans, apply));
    Ok(())
}
