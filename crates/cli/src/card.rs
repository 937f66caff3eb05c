//! The trouble card as text.

use chrono::{DateTime, Utc};

use backoffice_core::money;
use backoffice_core::time::{clock_time, relative};
use backoffice_core::users::TroubleCard;

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    t.map(|t| format!("{} ({})", clock_time(t), relative(t, now)))
        .unwrap_or_else(|| "never".into())
}

pub fn render(c: &TroubleCard, now: DateTime<Utc>) -> String {
    let u = &c.user;
    let mut s = Vec::new();
    for d in &c.diagnosis {
        s.push(format!("! {d}"));
    }
    s.push(String::new());
    s.push(format!(
        "user {}  {}  \"{}\"",
        u.id, u.email, u.display_name
    ));
    s.push(format!(
        "  status {}{}  version {}",
        u.status,
        u.lock_reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        u.version
    ));
    if let Some(t) = u.locked_until {
        s.push(format!("  locked until {}", when(Some(t), now)));
    }
    s.push(format!("  failed sign-ins {}", u.failed_login_count));
    s.push(format!(
        "  email verified {}",
        when(u.email_verified_at, now)
    ));
    s.push(format!("  last sign-in {}", when(u.last_login_at, now)));
    s.push(format!("  created {}", when(Some(u.created_at), now)));
    s.push(format!(
        "  roles {}",
        if u.roles.is_empty() {
            "none".into()
        } else {
            u.roles.join(", ")
        }
    ));
    s.push(String::new());
    s.push(format!("sign-ins (last {})", c.logins.len()));
    for e in &c.logins {
        s.push(format!(
            "  {}  {}  {}  {}",
            clock_time(e.at),
            if e.succeeded { "ok  " } else { "FAIL" },
            e.reason.as_deref().unwrap_or(""),
            e.ip.as_deref().unwrap_or("")
        ));
    }
    if !c.tokens.is_empty() {
        s.push(String::new());
        s.push("outstanding tokens".into());
        for t in &c.tokens {
            s.push(format!(
                "  {}  sent {}, expires {}",
                t.purpose,
                relative(t.created_at, now),
                relative(t.expires_at, now)
            ));
        }
    }
    s.push(String::new());
    s.push("orders".into());
    if c.orders.is_empty() {
        s.push("  none".into());
    }
    for o in &c.orders {
        s.push(format!(
            "  {} orders in {}: paid {}, refunded {}",
            o.orders,
            o.currency,
            money::format(o.paid_cents, &o.currency),
            money::format(o.refunded_cents, &o.currency)
        ));
    }
    for o in &c.last_orders {
        s.push(format!(
            "  #{}  {}  {:<9}  {}",
            o.id,
            clock_time(o.placed_at),
            o.status,
            money::format(o.total_cents, &o.currency)
        ));
    }
    if !c.notifications.is_empty() {
        s.push(String::new());
        s.push("emails".into());
        for n in &c.notifications {
            s.push(format!(
                "  {}  {:<18} {:<9} to {} by {}",
                clock_time(n.created_at),
                n.template,
                n.status.as_str(),
                n.recipient,
                n.created_by
            ));
        }
    }
    if !c.audit.is_empty() {
        s.push(String::new());
        s.push("audit".into());
        for a in &c.audit {
            s.push(format!(
                "  {}  {}  {}{}",
                clock_time(a.at),
                a.operator,
                a.action,
                a.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
    }
    s.join("\n")
}
