//! Demo users with their roles, sign-in history and tokens.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{DOMAINS, FIRST_NAMES, LAST_NAMES, USER_AGENTS};
use super::plan::mix;
use super::user_plan::{UserKind, UserPlan};
use super::writer::{Batch, Value};

/// What the order generator needs to know of each user, by row number - 1.
#[derive(Default)]
pub(crate) struct UserFacts {
    pub disabled: Vec<bool>,
    pub created: Vec<DateTime<Utc>>,
}

pub(crate) struct UserBatches {
    pub users: Batch,
    pub user_roles: Batch,
    pub login_events: Batch,
    pub auth_tokens: Batch,
}

impl UserBatches {
    pub(crate) fn new() -> Self {
        UserBatches {
            users: Batch::new(
                "users",
                &[
                    "id",
                    "email",
                    "email_normalized",
                    "display_name",
                    "password_hash",
                    "status",
                    "locked_until",
                    "lock_reason",
                    "email_verified_at",
                    "failed_login_count",
                    "last_login_at",
                    "created_at",
                    "updated_at",
                    "version",
                ],
            ),
            user_roles: Batch::new("user_roles", &["user_id", "role_id", "granted_at"]),
            login_events: Batch::new(
                "login_events",
                &[
                    "user_id",
                    "email_attempted",
                    "succeeded",
                    "reason",
                    "ip",
                    "user_agent",
                    "at",
                ],
            ),
            auth_tokens: Batch::new(
                "auth_tokens",
                &[
                    "user_id",
                    "purpose",
                    "token_hash",
                    "expires_at",
                    "used_at",
                    "created_at",
                ],
            ),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Batch> {
        vec![
            self.users,
            self.user_roles,
            self.login_events,
            self.auth_tokens,
        ]
    }
}

/// The account's name and address as the back end would have stored them.
fn identity(seed: u64, row: u64) -> (String, String) {
    let h = mix(seed, row, 1);
    let (first, f) = FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize];
    let (last, l) = LAST_NAMES[((h >> 8) % LAST_NAMES.len() as u64) as usize];
    let domain = DOMAINS[((h >> 16) % DOMAINS.len() as u64) as usize];
    let local = match (h >> 24) % 4 {
        0 => format!("{f}.{l}{row}"),
        1 => format!("{f}{row}"),
        2 => format!("{}.{l}{row}", &f[..1]),
        _ => format!("{l}.{f}{row}"),
    };
    (format!("{first} {last}"), format!("{local}@{domain}"))
}

/// The address with its first letter in upper case, as people type it.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn secs(rng: &mut ChaCha8Rng, range: RangeInclusive<i64>) -> Duration {
    Duration::seconds(rng.gen_range(range))
}

const DAY: i64 = 86_400;

fn token_hash(rng: &mut ChaCha8Rng) -> String {
    let bytes: [u8; 32] = rng.gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ip(rng: &mut ChaCha8Rng) -> String {
    // Documentation ranges (RFC 5737): never a real person's address.
    let net = ["192.0.2", "198.51.100", "203.0.113"][rng.gen_range(0..3)];
    format!("{net}.{}", rng.gen_range(1..255))
}

/// Generates users `rows` into `out`, recording facts for the orders.
pub(crate) fn generate(
    seed: u64,
    rows: RangeInclusive<u64>,
    plan: &UserPlan,
    now: DateTime<Utc>,
    facts: &mut UserFacts,
    out: &mut UserBatches,
) {
    for row in rows {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, row, 2));
        let kind = plan.kind(row);
        let (mut name, mut email) = identity(seed, row);
        let mut normalized = email.to_lowercase();
        let mut created = now - secs(&mut rng, 30 * DAY..=3 * 365 * DAY);
        let mut status = "active";
        let (mut locked_until, mut lock_reason) = (None, None::<String>);
        let mut failed: i64 = if rng.gen_bool(0.9) {
            0
        } else {
            rng.gen_range(1..=2)
        };
        let mut verified = true;
        match kind {
            Some(UserKind::InvalidEmail) => {
                let (local, domain) = email.split_once('@').unwrap_or((&email, "example.com"));
                email = match row % 3 {
                    0 => format!("{local}.{domain}"),
                    1 => format!("{local}@@{domain}"),
                    _ => format!("{local} @{domain}"),
                };
                normalized = email.to_lowercase();
            }
            Some(UserKind::DuplicateEmailCase) => {
                // The back end's normaliser once failed to lowercase: the
                // variant was stored as its own "normalized" address.
                let (_, original) = identity(seed, plan.partner(row));
                email = capitalised(&original);
                normalized = email.clone();
            }
            Some(UserKind::EmailNotNormalized) => {
                // Typed with a capital, stored un-lowered, and no other
                // account has the address: normalising it is safe.
                email = capitalised(&email);
                normalized = email.clone();
            }
            Some(UserKind::UnverifiedStale) => {
                created = now - secs(&mut rng, 60 * DAY..=400 * DAY);
                verified = false;
            }
            Some(UserKind::UnverifiedRecent) => {
                created = now - secs(&mut rng, 3_600..=6 * DAY);
                verified = false;
            }
            Some(UserKind::LockedWithoutReason) => {
                status = "locked";
                locked_until = Some(now + secs(&mut rng, 3_600..=2 * DAY));
            }
            Some(UserKind::LockExpired) => {
                status = "locked";
                locked_until = Some(now - secs(&mut rng, DAY..=30 * DAY));
                lock_reason = Some("too many failed sign-ins".into());
                failed = rng.gen_range(5..=9);
            }
            Some(UserKind::FailedCountOverThreshold) => failed = rng.gen_range(8..=20),
            Some(UserKind::BadDisplayName) => {
                name = if row % 2 == 0 {
                    String::new()
                } else {
                    name.replace(' ', "\u{7}")
                };
            }
            Some(UserKind::Disabled) => {
                status = "disabled";
                lock_reason = Some(
                    ["closed at the customer's request", "chargeback fraud"][rng.gen_range(0..2)]
                        .into(),
                );
            }
            Some(UserKind::ManualLock) => {
                status = "locked";
                lock_reason = Some("suspected account takeover".into());
            }
            Some(UserKind::TempLock) => {
                status = "locked";
                failed = rng.gen_range(5..=9);
                locked_until = Some(now + secs(&mut rng, 300..=3_600));
                lock_reason = Some("too many failed sign-ins".into());
            }
            None => {}
        }
        let verified_at = verified.then(|| created + secs(&mut rng, 300..=7_200));
        let since = verified_at.unwrap_or(created);
        let last_login = (verified && rng.gen_bool(0.85)).then(|| {
            since + Duration::seconds(rng.gen_range(0..=(now - since).num_seconds().max(1)))
        });
        let user_agent = USER_AGENTS[rng.gen_range(0..USER_AGENTS.len())];

        facts.disabled.push(status == "disabled");
        facts.created.push(created);
        let id = row as i64;
        out.users.push(vec![
            Value::Int(id),
            Value::Text(email.clone()),
            Value::Text(normalized),
            Value::Text(name),
            Value::Text(format!(
                "$argon2id$v=19$m=19456,t=2,p=1${:022x}${:043x}",
                rng.gen::<u64>(),
                rng.gen::<u128>()
            )),
            Value::Text(status.into()),
            Value::OptTime(locked_until),
            Value::OptText(lock_reason),
            Value::OptTime(verified_at),
            Value::Int(failed),
            Value::OptTime(last_login),
            Value::Time(created),
            Value::Time(last_login.unwrap_or(since)),
            Value::Int(1),
        ]);
        out.user_roles
            .push(vec![Value::Int(id), Value::Int(1), Value::Time(created)]);
        if rng.gen_bool(0.03) {
            out.user_roles
                .push(vec![Value::Int(id), Value::Int(2), Value::Time(since)]);
        }
        if rng.gen_bool(0.005) {
            out.user_roles
                .push(vec![Value::Int(id), Value::Int(3), Value::Time(since)]);
        }

        let mut event =
            |succeeded: bool, reason: Option<&str>, at: DateTime<Utc>, rng: &mut ChaCha8Rng| {
                out.login_events.push(vec![
                    Value::OptInt(Some(id)),
                    Value::Text(email.clone()),
                    Value::Bool(succeeded),
                    Value::OptText(reason.map(str::to_string)),
                    Value::OptText(Some(ip(rng))),
                    Value::OptText(Some(user_agent.to_string())),
                    Value::Time(at),
                ]);
            };
        if let Some(at) = last_login {
            for back in 0..rng.gen_range(0..=2) {
                event(true, None, at - Duration::days(7 * (back + 1)), &mut rng);
            }
            event(true, None, at, &mut rng);
        }
        if failed > 0 {
            let end = locked_until.map_or(now, |u| u.min(now));
            for k in 0..failed {
                event(
                    false,
                    Some("bad_password"),
                    end - Duration::minutes(failed - k),
                    &mut rng,
                );
            }
            if status == "locked" {
                event(false, Some("locked"), end, &mut rng);
            }
        }
        if !verified {
            event(
                false,
                Some("unverified"),
                created + Duration::minutes(10),
                &mut rng,
            );
            out.auth_tokens.push(vec![
                Value::Int(id),
                Value::Text("verify_email".into()),
                Value::Text(token_hash(&mut rng)),
                Value::Time(created + Duration::hours(24)),
                Value::OptTime(None),
                Value::Time(created),
            ]);
        } else if rng.gen_bool(0.01) {
            let at = since + Duration::days(1);
            out.auth_tokens.push(vec![
                Value::Int(id),
                Value::Text("password_reset".into()),
                Value::Text(token_hash(&mut rng)),
                Value::Time(at + Duration::hours(1)),
                Value::OptTime(Some(at + Duration::minutes(5))),
                Value::Time(at),
            ]);
        }
        if rng.gen_bool(0.01) {
            out.login_events.push(vec![
                Value::OptInt(None),
                Value::Text(email.replacen('@', "@x", 1)),
                Value::Bool(false),
                Value::OptText(Some("no_account".into())),
                Value::OptText(Some(ip(&mut rng))),
                Value::OptText(Some(user_agent.to_string())),
                Value::Time(now - secs(&mut rng, 0..=90 * DAY)),
            ]);
        }
    }
}
