//! The order list's total and currency filters in the window: amounts in
//! major units, both ends included, a hint while totals span currencies,
//! and a typing mistake named in the error box.

use backoffice_testkit::TestDb;
use fantoccini::Client;

use crate::driver::{click, fill, picture, text_of, wait_contains, wait_text};

/// Run on the orders view of a seeded shop; leaves the filters empty.
pub async fn order_totals(client: &Client, shop: &TestDb) {
    // The total filter, in major units, both ends included.
    click(client, "#order-status option:nth-child(1)").await;
    fill(client, "order-min", "100").await;
    fill(client, "order-max", "200.00").await;
    let between = shop
        .scalar("SELECT COUNT(*) FROM orders WHERE total_cents BETWEEN 10000 AND 20000")
        .await;
    assert!(between > 0, "the seed has orders between 100 and 200");
    wait_text(client, "#orders-summary", &format!("{between} matching")).await;
    wait_contains(client, "#order-total-hint:not([hidden])", "own currency").await;
    // With a currency, like is compared with like.
    fill(client, "order-currency", "gbp").await;
    let pounds = shop
        .scalar("SELECT COUNT(*) FROM orders WHERE total_cents BETWEEN 10000 AND 20000 AND currency = 'GBP'")
        .await;
    assert!(pounds > 0 && pounds < between, "{pounds} of {between}");
    wait_text(client, "#orders-summary", &format!("{pounds} matching")).await;
    picture(client, "orders-in-pounds").await;
    let listed = text_of(client, "#orders tbody").await;
    assert!(
        listed.contains('£') && !listed.contains('€') && !listed.contains('$'),
        "{listed}"
    );
    fill(client, "order-currency", " ").await;
    fill(client, "order-max", "2OO").await;
    wait_contains(client, "#error:not([hidden])", "Total up to").await;
    // (A space: clearing alone fires no input event.)
    fill(client, "order-min", " ").await;
    fill(client, "order-max", " ").await;
}
