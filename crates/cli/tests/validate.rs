//! `validate rules|run` through the `backoffice` binary, on the reference
//! schema and on a django-oscar shop read through its mapping.

mod common;

use backoffice_core::db::Backend;
use backoffice_testkit::TestDb;
use common::Cli;

#[test]
fn validation_from_the_command_line() {
    let mut cli = Cli::new();
    let url = format!("sqlite:{}", cli.data.path().join("v.db").display());
    cli.ok(
        &["--db", &url, "seed", "--users", "300", "--orders", "600"],
        None,
    );
    let rules: serde_json::Value =
        serde_json::from_str(&cli.ok(&["validate", "rules", "--json"], None)).unwrap();
    assert!(rules.as_array().unwrap().len() >= 14);
    assert!(rules[0]["explanation"].as_str().unwrap().len() > 20);

    cli.password = Some("backoffice-demo".into());
    let run = |who: &str, rule: &str| {
        vec![
            "--db".to_string(),
            url.clone(),
            "--operator".into(),
            who.into(),
            "validate".into(),
            "run".into(),
            "--rule".into(),
            rule.into(),
        ]
    };
    let args = run("admin", "products.negative_stock");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut with_json = args.clone();
    with_json.push("--json");
    let report: serde_json::Value = serde_json::from_str(&cli.ok(&with_json, None)).unwrap();
    assert_eq!(report["rules"][0]["rule_id"], "products.negative_stock");
    assert!(report["findings"].as_u64().unwrap() >= 1);
    let text = cli.ok(&args, None);
    assert!(
        text.contains("0 new"),
        "a second run finds nothing new: {text}"
    );

    let base = ["--db", url.as_str(), "--operator"];
    let with = |who: &'static str, rest: &[&'static str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.push(who);
        a.extend_from_slice(rest);
        a
    };
    let summary = cli.ok(&with("support", &["findings", "summary"]), None);
    assert!(summary.contains("products.negative_stock"), "{summary}");
    let page: serde_json::Value = serde_json::from_str(&cli.ok(
        &with(
            "support",
            &[
                "findings",
                "list",
                "--rule",
                "products.negative_stock",
                "--json",
            ],
        ),
        None,
    ))
    .unwrap();
    let f = &page["items"][0];
    let (id, version) = (f["id"].to_string(), f["version"].to_string());
    let accept = |who: &'static str| {
        let mut a = with(who, &["findings", "accept"]);
        a.extend_from_slice(&[id.as_str(), "--version", version.as_str(), "--reason", "ok"]);
        a
    };
    assert_eq!(cli.fails(&accept("support")).0, 5);
    let done = cli.ok(&accept("admin"), None);
    assert!(done.contains("is now accepted"), "{done}");

    let support = run("support", "products.negative_stock");
    let support: Vec<&str> = support.iter().map(String::as_str).collect();
    assert_eq!(cli.fails(&support).0, 5);
    let unknown = run("admin", "nope.rule");
    let unknown: Vec<&str> = unknown.iter().map(String::as_str).collect();
    let (code, err) = cli.fails(&unknown);
    assert_eq!(code, 2);
    assert!(err.contains("no rule 'nope.rule'"), "{err}");

    // Fixes: the catalogue, a dry run listing every row, --yes required,
    // then applied by an admin and gone from the next sweep.
    let fixes = cli.ok(&["findings", "fixes"], None);
    assert!(fixes.contains("users.clear_expired_lock"), "{fixes}");
    let sweep = run("admin", "users.lock_expired");
    let sweep: Vec<&str> = sweep.iter().map(String::as_str).collect();
    cli.ok(&sweep, None);
    let dry = cli.ok(
        &with(
            "support",
            &["findings", "fix", "users.clear_expired_lock", "--dry-run"],
        ),
        None,
    );
    assert!(dry.contains("status \"locked\" → \"active\""), "{dry}");
    let (code, err) = cli.fails(&with(
        "admin",
        &["findings", "fix", "users.clear_expired_lock"],
    ));
    assert_eq!(code, 2);
    assert!(err.contains("--yes"), "{err}");
    let mut yes = with(
        "admin",
        &[
            "findings",
            "fix",
            "users.clear_expired_lock",
            "--yes",
            "--json",
        ],
    );
    yes.extend_from_slice(&["--reason", "stale locks"]);
    let report: serde_json::Value = serde_json::from_str(&cli.ok(&yes, None)).unwrap();
    let applied = report["applied"].as_array().unwrap().len();
    assert!(applied >= 1, "{report}");
    let mut again = sweep.clone();
    again.push("--json");
    let after: serde_json::Value = serde_json::from_str(&cli.ok(&again, None)).unwrap();
    assert_eq!(after["findings"], 0, "{after}");
}

/// On a mapped back end the catalogue says what runs there, and the sweep
/// finds the shop's planted defects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_of_a_django_oscar_shop_from_the_command_line() {
    let t = TestDb::fixture(Backend::Sqlite, "oscar").await;
    let mut cli = Cli::new();
    let db = t.url.as_str();
    let file = cli.data.path().join("oscar.toml");
    let path = file.to_str().unwrap();
    cli.ok(&["--db", db, "schema", "detect", "--write", path], None);
    cli.ok(&["--db", db, "attach"], None);
    cli.sign_in_as_new_admin(db, "olga");
    let on = ["--db", db, "--mapping", path, "--operator", "olga"];

    let rules = cli.ok(&[&on[..], &["validate", "rules"]].concat(), None);
    assert!(rules.contains("stock.over_allocated"), "{rules}");
    assert!(
        rules.contains("[unavailable: it reads what the reference schema keeps"),
        "{rules}"
    );
    let out = cli.ok(&[&on[..], &["validate", "run"]].concat(), None);
    assert!(out.contains("3 findings (3 new, 0 resolved)"), "{out}");
    let listed = cli.ok(&[&on[..], &["findings", "list"]].concat(), None);
    assert!(listed.contains("(100002)"), "the order's number: {listed}");
    for rule in [
        "orders.total_mismatch",
        "stock.over_allocated",
        "users.duplicate_email_case",
    ] {
        assert!(listed.contains(rule), "{rule}: {listed}");
    }
    let (code, err) = cli.fails(
        &[
            &on[..],
            &["validate", "run", "--rule", "users.email_not_normalized"],
        ]
        .concat(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no rule 'users.email_not_normalized' runs on a mapped back end"),
        "{err}"
    );

    // The index that serves the totals check: proposed, then built.
    let indexes = ["--db", db, "--mapping", path, "schema", "indexes"];
    let out = cli.ok(&indexes, None);
    assert!(out.contains("\nOrders:\n"), "{out}");
    assert!(
        out.contains("missing  backoffice_order_line_totals: the sweep's totals check"),
        "{out}"
    );
    let out = cli.ok(&[&indexes[..], &["--apply"]].concat(), None);
    assert!(
        out.contains("in place backoffice_order_line_totals"),
        "{out}"
    );
    let out = cli.ok(&[&on[..], &["validate", "run"]].concat(), None);
    assert!(out.contains("3 findings (0 new, 0 resolved)"), "{out}");
}
