//! Fixtures shared by the console stories: a database with two operators,
//! and users inserted exactly as a case needs them.

#![allow(dead_code)]

pub mod defects;
pub mod frameworks;
pub mod legacy;
pub mod mapped;
pub mod notify;
pub mod saleor;
pub mod shop;
pub mod woocommerce;

use backoffice_core::db::{Backend, Db, OpenOptions};
use backoffice_core::operators::{add_operator, sign_in, NewOperator, Operator, Role};
use backoffice_core::secrets::Secret;
use backoffice_testkit::{Fx, TestDb};
use chrono::{DateTime, Duration, TimeZone, Utc};

pub const PASSWORD: &str = "correct horse battery";

/// The tests' "now".
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// Day zero of the fixtures' creation times.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 8, 30, 0).unwrap()
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub struct Console {
    pub t: TestDb,
    pub db: Db,
    /// alice, admin
    pub admin: Operator,
    /// sam, support
    pub support: Operator,
}

pub async fn console(backend: Backend) -> Console {
    let t = TestDb::new(backend).await;
    let db = t.open().await;
    let (admin, support) = operators(&db).await;
    Console {
        t,
        db,
        admin,
        support,
    }
}

/// Adds alice (admin, the first operator) and sam (support), signed in.
pub async fn operators(db: &Db) -> (Operator, Operator) {
    let new = |name: &str, role| NewOperator {
        username: name.into(),
        role,
        password: Secret::new(PASSWORD),
    };
    add_operator(db, None, new("alice", Role::Admin), now())
        .await
        .expect("first operator");
    let admin = sign_in(db, "alice", &Secret::new(PASSWORD), now())
        .await
        .expect("admin signs in");
    add_operator(db, Some(&admin), new("sam", Role::Support), now())
        .await
        .expect("admin adds support");
    let support = sign_in(db, "sam", &Secret::new(PASSWORD), now())
        .await
        .expect("support signs in");
    (admin, support)
}

/// A user row as a case needs it; unset fields take plain defaults.
#[derive(Clone)]
pub struct U {
    pub id: i64,
    pub email: &'static str,
    pub name: &'static str,
    pub created: DateTime<Utc>,
    pub status: &'static str,
    pub last_login: Option<DateTime<Utc>>,
    pub verified: Option<DateTime<Utc>>,
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub lock_reason: Option<&'static str>,
    /// email_normalized as stored; the address in lower case if not set.
    pub normalized: Option<&'static str>,
}

impl U {
    pub fn new(id: i64, email: &'static str, name: &'static str) -> U {
        U {
            id,
            email,
            name,
            created: t0(),
            status: "active",
            last_login: None,
            verified: Some(t0()),
            failures: 0,
            locked_until: None,
            lock_reason: None,
            normalized: None,
        }
    }

    pub async fn insert(&self, t: &TestDb) {
        t.insert(
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
            ],
            &[
                self.id.into(),
                self.email.into(),
                self.normalized
                    .map_or_else(|| self.email.to_lowercase(), str::to_string)
                    .as_str()
                    .into(),
                self.name.into(),
                "$argon2id$v=19$fixture".into(),
                self.status.into(),
                self.locked_until.into(),
                self.lock_reason.map_or(Fx::NoText, Fx::from),
                self.verified.into(),
                self.failures.into(),
                self.last_login.into(),
                self.created.into(),
                self.created.into(),
            ],
        )
        .await;
    }
}

pub async fn role(t: &TestDb, id: i64, name: &str) {
    t.insert("roles", &["id", "name"], &[id.into(), name.into()])
        .await;
}

pub async fn grant(t: &TestDb, user: i64, role: i64) {
    t.insert(
        "user_roles",
        &["user_id", "role_id", "granted_at"],
        &[user.into(), role.into(), t0().into()],
    )
    .await;
}

/// Seven users with ties in creation time and in last sign-in, a literal
/// `%`, `_` and `\` in one address, and a name that looks like a formula.
///
/// | id | created | last sign-in | notes |
/// |----|---------|--------------|-------|
/// | 1  | t0      | t0+5d        | ann.lee@example.com, role vip |
/// | 2  | t0+1d   | t0+6d        | name contains "Joanne" |
/// | 3  | t0+1d   | t0+6d        | ANNA@Example.org, unverified |
/// | 4  | t0+1d   | —            | 100%_off\deal@shop.test, locked |
/// | 5  | t0+2d   | —            | disabled |
/// | 6  | t0+3d   | t0+4d        | name "Dora ann" |
/// | 7  | t0+1d   | —            | name "=2+3" |
pub async fn seven_users(t: &TestDb) {
    let mut users = vec![
        U::new(1, "ann.lee@example.com", "Ann Lee"),
        U::new(2, "bob@example.com", "Bob Joanne Smith"),
        U::new(3, "ANNA@Example.org", "Anna K"),
        U::new(4, r"100%_off\deal@shop.test", "Deal Hunter"),
        U::new(5, "carl@example.com", "Carl"),
        U::new(6, "dora@example.com", "Dora ann"),
        U::new(7, "x@y.io", "=2+3"),
    ];
    let created = [0, 1, 1, 1, 2, 3, 1];
    let login = [Some(5), Some(6), Some(6), None, None, Some(4), None];
    for (i, u) in users.iter_mut().enumerate() {
        u.created = t0() + days(created[i]);
        u.last_login = login[i].map(|d| t0() + days(d));
    }
    users[2].verified = None;
    users[3].status = "locked";
    users[3].failures = 7;
    users[3].locked_until = Some(now() + Duration::hours(1));
    users[3].lock_reason = Some("too many failed sign-ins");
    users[4].status = "disabled";
    for u in &users {
        u.insert(t).await;
    }
    role(t, 1, "vip").await;
    role(t, 2, "staff").await;
    grant(t, 1, 1).await;
}

/// Runs tests/fixtures/tokens.py in the fixtures' Python: whether the
/// framework's own check, followed there with code independent of ours,
/// accepts what the console made.
pub fn tokens(args: &[&str]) -> bool {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(root.join("target/fixtures/venv/bin/python"))
        .arg(root.join("tests/fixtures/tokens.py"))
        .args(args)
        .output()
        .expect("the fixtures' Python (scripts/fixtures.sh makes it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["matches"] == true
}

/// The PostgreSQL database connected as the passwordless role
/// `scripts/services.sh` creates (as the headless CLI test uses), which
/// owns nothing and may read nothing there unless granted.
pub async fn as_trust(t: &TestDb) -> Db {
    let database = t.url.rsplit('/').next().unwrap();
    let url = format!("postgres://backoffice_trust@127.0.0.1:5432/{database}");
    let target = backoffice_core::db::Target::parse_url(&url).unwrap();
    Db::connect(&target, backoffice_core::db::OpenOptions::default())
        .await
        .expect("connect as backoffice_trust")
}

/// Connects to the test database without touching its schema.
pub async fn connect(t: &TestDb, read_only: bool) -> Db {
    let options = OpenOptions {
        read_only,
        create_if_missing: false,
    };
    Db::connect(&t.target(), options).await.expect("connect")
}
