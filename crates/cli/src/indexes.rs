//! `schema indexes [--apply]`: what makes user search fast on a back end
//! the console did not design, and building it when an administrator asks.

use backoffice_core::mapping as mapping_mod;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::users::mapped::indexes::{create, propose, IndexPlan};
use backoffice_core::Result;

use crate::output::Out;
use crate::target::Chosen;

fn megabytes(bytes: i64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb < 1.0 {
        "under 1 MB".into()
    } else {
        format!("about {mb:.0} MB")
    }
}

fn render(plan: &IndexPlan, applied: bool) -> String {
    let mut lines = Vec::new();
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
        lines.push(
            "search works without them, as a scan; `schema indexes --apply` builds what is \
             missing (PostgreSQL builds concurrently, the back end keeps writing)"
                .into(),
        );
    } else if !plan.proposals.is_empty() && !missing {
        lines.push("search uses these indexes".into());
    }
    lines.join("\n")
}

pub async fn run(chosen: &Chosen<'_>, apply: bool, out: &Out) -> Result<()> {
    let db = chosen.connect().await?;
    let result = async {
        let m = mapping_mod::in_effect(&db, chosen.mapping_file()?.as_deref()).await?;
        if apply {
            create(&db, &m, &NoProgress, &CancelToken::new()).await
        } else {
            propose(&db, &m).await
        }
    }
    .await;
    db.close().await;
    let plan = result?;
    out.show(&plan, || render(&plan, apply));
    Ok(())
}
