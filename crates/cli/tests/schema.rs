//! `attach` and `schema …` from the command line, on a copy of the Django
//! fixture (made by Django's, axes' and allauth's own migrations).

mod common;

use backoffice_core::db::Backend;
use backoffice_testkit::TestDb;
use common::Cli;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_detect_check_show_on_a_django_back_end() {
    let t = TestDb::fixture(Backend::Sqlite, "django").await;
    let cli = Cli::new();
    let db = t.url.as_str();

    // Not attached: even `stats` says what to do.
    let (code, err) = cli.fails(&["--db", db, "stats"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run `backoffice attach`"), "{err}");

    let sql = cli.ok(&["--db", db, "schema", "sql"], None);
    assert!(sql.contains("CREATE TABLE backoffice_audit_log"), "{sql}");
    let sql = cli.ok(&["schema", "sql", "--backend", "postgres"], None);
    assert!(
        sql.contains("CREATE SCHEMA IF NOT EXISTS backoffice"),
        "{sql}"
    );

    let out = cli.ok(&["--db", db, "schema", "detect"], None);
    assert!(out.contains("recognised: django + axes + allauth"), "{out}");
    assert!(out.contains("AXES_FAILURE_LIMIT"), "{out}");
    let file = cli.data.path().join("shop.toml");
    let path = file.to_str().unwrap();
    cli.ok(&["--db", db, "schema", "detect", "--write", path], None);
    let (code, err) = cli.fails(&["--db", db, "schema", "detect", "--write", path]);
    assert_eq!(code, 4, "{err}");

    let out = cli.ok(&["--db", db, "--mapping", path, "schema", "check"], None);
    assert_eq!(out.trim(), "the mapping fits the database");
    let out = cli.ok(&["--db", db, "--mapping", path, "schema", "show"], None);
    assert!(out.contains("table = \"auth_user\""), "{out}");
    assert!(out.contains("#  yes lockout"), "{out}");

    // A mapping edited into nonsense: one line naming the file and place.
    std::fs::write(&file, "format = 1\n[user\n").unwrap();
    let (code, err) = cli.fails(&["--db", db, "--mapping", path, "schema", "check"]);
    assert_eq!(code, 2);
    assert!(err.contains("shop.toml: line 2"), "{err}");
    // A mapping naming a column Django does not have: the problem on stdout.
    let wrong = "format = 1\n[user]\ntable = \"auth_user\"\nkey = \"id\"\nemail = \"mail\"\n";
    std::fs::write(&file, wrong).unwrap();
    let out = cli.run(&["--db", db, "--mapping", path, "schema", "check"], None);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("user.email: table auth_user has no column mail"),
        "{stdout}"
    );

    let out = cli.ok(&["--db", db, "attach"], None);
    assert!(
        out.contains("attached; the console's tables are at version 6"),
        "{out}"
    );
    let out = cli.ok(&["--db", db, "attach"], None);
    assert!(out.contains("already in place"), "{out}");
    let out = cli.ok(&["--db", db, "schema", "status"], None);
    assert!(
        out.contains("attached, console tables at version 6"),
        "{out}"
    );

    // The first operator, then the back end's users through the mapping.
    let mut cli = cli;
    cli.sign_in_as_new_admin(db, "alice");
    let users = ["--db", db, "--operator", "alice", "users", "search", "bob"];
    let (code, err) = cli.fails(&users);
    assert_eq!(code, 2);
    assert!(err.contains("has no schema mapping"), "{err}");
    std::fs::remove_file(&file).unwrap();
    cli.ok(&["--db", db, "schema", "detect", "--write", path], None);
    let users = [
        "--db",
        db,
        "--mapping",
        path,
        "--operator",
        "alice",
        "users",
    ];
    let mapped = [&users[..], &["search"]].concat();
    let out = cli.ok(&[&mapped[..], &["bob@EXAMPLE"]].concat(), None);
    assert!(out.contains("Bob Builder"), "{out}");
    assert!(
        out.contains("active    yes    no"),
        "locked by axes, not verified: {out}"
    );
    let locked = cli.ok(&[&mapped[..], &["--status", "locked"]].concat(), None);
    assert!(locked.contains("Bob Builder"), "{locked}");
    assert!(!locked.contains("Ada Lovelace"), "{locked}");
    let (code, err) = cli.fails(&[&mapped[..], &["--sort", "last-sign-in"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("--sort/--oldest-first is not available"),
        "{err}"
    );
    let show = [&users[..], &["show", "2"]].concat();
    let out = cli.ok(&show, None);
    assert!(
        out.starts_with("user 2  Bob@example.com  \"Bob Builder\""),
        "{out}"
    );
    assert!(out.contains("locked yes"), "{out}");
    // Account actions carry the card's fingerprint: a stale one is refused.
    let unlock = [&users[..], &["unlock", "2", "--version", "1"]].concat();
    let (code, err) = cli.fails(&unlock);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("was changed by someone else"), "{err}");
    assert!(err.contains("locked"), "{err}");
    let card: serde_json::Value =
        serde_json::from_str(&cli.ok(&[&show[..], &["--json"]].concat(), None)).unwrap();
    let version = card["version"].as_str().unwrap().to_string();
    let unlock = [&users[..], &["unlock", "2", "--version", &version]].concat();
    let out = cli.ok(&unlock, None);
    assert!(out.starts_with("user.unlock: user 2 changed"), "{out}");
    assert!(out.contains("locked no"), "{out}");
    // The same version again: the user moved on.
    let (code, _) = cli.fails(&unlock);
    assert_eq!(code, 4);

    // Seeding demo data into a back end of its own is refused.
    let (code, err) = cli.fails(&["--db", db, "seed", "--users", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("not the demo"), "{err}");
}

/// A django-oscar shop: detection maps its orders, and the check reads its
/// statuses against the proposed lifecycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detect_and_check_a_django_oscar_shop() {
    let t = TestDb::fixture(Backend::Sqlite, "oscar").await;
    let cli = Cli::new();
    let db = t.url.as_str();
    let out = cli.ok(&["--db", db, "schema", "detect"], None);
    assert!(
        out.contains("recognised: django + axes + allauth + oscar"),
        "{out}"
    );
    assert!(out.contains("OSCAR_ORDER_STATUS_PIPELINE"), "{out}");
    let file = cli.data.path().join("oscar.toml");
    let path = file.to_str().unwrap();
    cli.ok(&["--db", db, "schema", "detect", "--write", path], None);
    let out = cli.ok(&["--db", db, "--mapping", path, "schema", "check"], None);
    assert_eq!(out.trim(), "the mapping fits the database");
    let shown = cli.ok(&["--db", db, "--mapping", path, "schema", "show"], None);
    assert!(shown.contains("[lifecycle.moves]"), "{shown}");
    assert!(shown.contains("table = \"order_order\""), "{shown}");

    // Its orders, in its own words, from the command line.
    cli.ok(&["--db", db, "attach"], None);
    let mut cli = cli;
    cli.sign_in_as_new_admin(db, "olga");
    let orders = [
        "--db",
        db,
        "--mapping",
        path,
        "--operator",
        "olga",
        "orders",
    ];
    let list = [
        &orders[..],
        &["list", "--status", "Being processed,Shipped"],
    ]
    .concat();
    let out = cli.ok(&list, None);
    assert!(out.contains("100003  Shipped"), "{out}");
    assert!(out.contains("100002  Being processed"), "{out}");
    assert!(out.contains("99.99 GBP"), "{out}");
    assert!(!out.contains("100001"), "{out}");
    let (code, err) = cli.fails(&[&orders[..], &["list", "--status", "paid"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("'paid' is not a status of this shop"), "{err}");
    let (code, err) = cli.fails(&[&orders[..], &["list", "--sort", "total"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("--sort total is not available"), "{err}");
    let story = cli.ok(&[&orders[..], &["show", "100002"]].concat(), None);
    assert!(
        story.starts_with("order 100002 (key 2)  Being processed"),
        "{story}"
    );
    assert!(
        story.contains("! the total is 99.99 GBP but the lines and shipping come to 8.45 GBP"),
        "{story}"
    );
    assert!(story.contains("next: Shipped, Cancelled"), "{story}");
    assert!(story.contains("Pending → Being processed"), "{story}");
    let noted = cli.ok(
        &[&orders[..], &["note", "100002", "called the customer"]].concat(),
        None,
    );
    assert_eq!(noted.trim(), "note added to order 100002");
    let story = cli.ok(&[&orders[..], &["show", "100002"]].concat(), None);
    assert!(
        story.contains("note   the back end   called the customer"),
        "{story}"
    );
    // Many at once, in the shop's words: a dry run changes nothing.
    let bulk = [
        "bulk",
        "--ids",
        "100002,100001",
        "--to",
        "Shipped",
        "--dry-run",
    ];
    let plan = cli.ok(&[&orders[..], &bulk[..]].concat(), None);
    assert!(
        plan.starts_with("1 order(s) can change, 1 cannot"),
        "{plan}"
    );
    assert!(
        plan.contains("order 100002: status Being processed → Shipped"),
        "{plan}"
    );
    assert!(
        plan.contains("order 100001: refused: a Pending order cannot become Shipped"),
        "{plan}"
    );
    // A move its pipeline allows, at the version `orders show` printed.
    let show = [&orders[..], &["show", "100001", "--json"]].concat();
    let story: serde_json::Value = serde_json::from_str(&cli.ok(&show, None)).unwrap();
    let version = story["version"].as_str().unwrap().to_string();
    let to = ["--to", "Being processed", "--version", &version];
    let moved = cli.ok(
        &[&orders[..], &["transition", "100001"], &to[..]].concat(),
        None,
    );
    assert_eq!(moved.trim(), "order 100001 is now Being processed");
    let (code, err) = cli.fails(&[&orders[..], &["transition", "100001"], &to[..]].concat());
    assert_eq!(code, 4, "the version is gone: {err}");
    let story: serde_json::Value = serde_json::from_str(&cli.ok(&show, None)).unwrap();
    let version = story["version"].as_str().unwrap().to_string();
    let dry = ["cancel", "100001", "--version", &version, "--dry-run"];
    let plan = cli.ok(&[&orders[..], &dry[..]].concat(), None);
    assert!(
        plan.starts_with("order 100001: status Being processed → Cancelled"),
        "{plan}"
    );
    assert!(plan.contains("released from the allocation"), "{plan}");
    let show = [&orders[..], &["show", "100003", "--json"]].concat();
    let story: serde_json::Value = serde_json::from_str(&cli.ok(&show, None)).unwrap();
    let version = story["version"].as_str().unwrap().to_string();
    let dry = [
        "refund",
        "100003",
        "--version",
        &version,
        "--amount",
        "10",
        "--dry-run",
    ];
    let plan = cli.ok(&[&orders[..], &dry[..]].concat(), None);
    assert_eq!(
        plan.trim(),
        "order 100003: status stays Shipped\n  refunding 10.00 GBP (refunded before 0.00 GBP, \
         refundable afterwards 14.00 GBP); kept by the console: the back end keeps no refund \
         records\nnothing was changed (--dry-run)"
    );
    let story: serde_json::Value = serde_json::from_str(&cli.ok(&show, None)).unwrap();
    assert_eq!(story["refunded"], 0, "the dry run recorded nothing");

    // A pipeline without "Shipped": the check names the orders' word.
    let mut m = backoffice_core::mapping::Mapping::load(&file).unwrap();
    let l = m.lifecycle.as_mut().unwrap();
    for list in [&mut l.statuses, &mut l.refundable, &mut l.shipped] {
        list.retain(|w| w != "Shipped");
    }
    l.moves.remove("Shipped");
    for to in l.moves.values_mut() {
        to.retain(|w| w != "Shipped");
    }
    m.save(&file).unwrap();
    let out = cli.run(&["--db", db, "--mapping", path, "schema", "check"], None);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("order_order.status holds 'Shipped', which the lifecycle does not declare"),
        "{stdout}"
    );
}
