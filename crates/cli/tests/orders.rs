//! Orders through the `backoffice` binary: list, show, dry runs, changes,
//! refunds, bulk and CSV, with the exit codes scripts branch on.

mod common;

use common::Cli;
use serde_json::Value;

struct Shop {
    cli: Cli,
    url: String,
}

impl Shop {
    fn new() -> Shop {
        let mut cli = Cli::new();
        let url = format!("sqlite:{}", cli.data.path().join("shop.db").display());
        cli.ok(
            &["--db", &url, "seed", "--users", "200", "--orders", "400"],
            None,
        );
        cli.password = Some("backoffice-demo".into());
        Shop { cli, url }
    }

    fn args<'a>(&'a self, who: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["--db", self.url.as_str(), "--operator", who, "orders"];
        a.extend_from_slice(rest);
        a
    }

    fn json(&self, who: &str, rest: &[&str]) -> Value {
        let mut a = self.args(who, rest);
        a.push("--json");
        serde_json::from_str(&self.cli.ok(&a, None)).unwrap()
    }

    fn text(&self, who: &str, rest: &[&str]) -> String {
        self.cli.ok(&self.args(who, rest), None)
    }

    fn fails(&self, who: &str, rest: &[&str]) -> (i32, String) {
        self.cli.fails(&self.args(who, rest))
    }

    /// (id, version) of the newest order in this status.
    fn first(&self, status: &str) -> (String, String) {
        let page = self.json("support", &["list", "--status", status, "--limit", "1"]);
        let o = &page["items"][0];
        (o["id"].to_string(), o["version"].to_string())
    }
}

#[test]
fn orders_from_the_command_line() {
    let shop = Shop::new();

    // Lists: several statuses at once, a capped total, masked emails.
    let page = shop.json(
        "support",
        &["list", "--status", "paid,packed", "--limit", "5"],
    );
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|o| o["status"] == "paid" || o["status"] == "packed"));
    assert!(items[0]["customer_email"].as_str().unwrap().contains("•••"));
    let (code, err) = shop.fails(
        "support",
        &[
            "list",
            "--placed-from",
            "2026-05-02",
            "--placed-to",
            "2026-05-01",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("backwards"), "{err}");

    // A dry run changes nothing; the change itself does.
    let (id, version) = shop.first("paid");
    let p = shop.json(
        "support",
        &["cancel", &id, "--version", &version, "--dry-run"],
    );
    assert_eq!(p["status_after"], "cancelled");
    assert!(!p["stock"].as_array().unwrap().is_empty());
    let before = shop.json("support", &["show", &id]);
    assert_eq!(before["order"]["status"], "paid");
    let done = shop.text(
        "support",
        &["cancel", &id, "--version", &version, "--reason", "test"],
    );
    assert!(done.contains("is now cancelled"), "{done}");
    let (code, err) = shop.fails("support", &["cancel", &id, "--version", &version]);
    assert_eq!(code, 4, "a stale version is a conflict: {err}");

    // Refunds: admins only, never more than is left.
    let (id, version) = shop.first("delivered");
    let (code, _) = shop.fails(
        "support",
        &["refund", &id, "--version", &version, "--reason", "x"],
    );
    assert_eq!(code, 5);
    let (code, err) = shop.fails(
        "admin",
        &[
            "refund",
            &id,
            "--version",
            &version,
            "--amount",
            "999999",
            "--reason",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("left to refund"), "{err}");
    let refunded = shop.json(
        "admin",
        &[
            "refund",
            &id,
            "--version",
            &version,
            "--amount",
            "0.01",
            "--reason",
            "goodwill",
        ],
    );
    assert_eq!(refunded["status"], "delivered");
    shop.text("support", &["note", &id, "refunded a cent as goodwill"]);
    let story = shop.text("support", &["show", &id]);
    assert!(story.contains("refund of 0.01"), "{story}");
    assert!(story.contains("refunded a cent as goodwill"), "{story}");

    // Bulk: a preview, a refusal without --yes, then the change.
    let plan = shop.json(
        "support",
        &["bulk", "--status", "paid", "--to", "packed", "--dry-run"],
    );
    let ready = plan["ready"].as_array().unwrap().len();
    assert!(ready > 0);
    let (code, err) = shop.fails("support", &["bulk", "--status", "paid", "--to", "packed"]);
    assert_eq!(code, 2);
    assert!(err.contains("--yes"), "{err}");
    // Nor without a reason: nothing is written.
    let (code, err) = shop.fails(
        "support",
        &["bulk", "--status", "paid", "--to", "packed", "--yes"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("a reason is required"), "{err}");
    let results = shop.json(
        "support",
        &[
            "bulk",
            "--status",
            "paid",
            "--to",
            "packed",
            "--yes",
            "--reason",
            "packing day",
        ],
    );
    assert_eq!(results["results"].as_array().unwrap().len(), ready);
    let left = shop.json("support", &["list", "--status", "paid"]);
    assert_eq!(left["total"]["count"], 0);

    // CSV: the whole filtered set, one line per order.
    let csv = shop.text("admin", &["list", "--status", "packed", "--format", "csv"]);
    let packed = shop.json("admin", &["list", "--status", "packed", "--limit", "1"]);
    assert_eq!(
        csv.lines().count() as u64,
        packed["total"]["count"].as_u64().unwrap() + 1
    );
    assert!(csv.starts_with("id,user_id,customer_email,status"));
}
