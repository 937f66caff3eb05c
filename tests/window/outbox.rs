//! The outbox in the window once the story has sent three messages: all
//! listed as sent, and a row opening to what was sent and its attempts.

use std::time::Duration;

use backoffice_testkit::TestDb;
use fantoccini::{Client, Locator};

use crate::driver::{click, text_of, wait_contains};

/// Run on the outbox view after three messages were queued.
pub async fn three_sent(client: &Client, shop: &TestDb) {
    // (The dispatcher records "sent" just after the server took the mail.)
    for _ in 0..100 {
        let sent = "SELECT COUNT(*) FROM backoffice_outbox WHERE status = 'sent'";
        if shop.scalar(sent).await == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(client, "#outbox-status option:nth-child(4)").await;
    let rows = Locator::Css("#outbox tbody tr[data-message]");
    let mut listed = 0;
    for _ in 0..100 {
        listed = client.find_all(rows).await.unwrap().len();
        if listed == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed, 3, "the three sent messages are listed");
    let sent = text_of(client, "#outbox tbody").await;
    assert!(
        sent.contains("Support message") && sent.contains("Verification email"),
        "{sent}"
    );
    // A row opens what was sent and its attempts.
    click(client, "#outbox tbody tr[data-message] td").await;
    let detail = wait_contains(client, "#outbox tbody tr.detail:not([hidden])", "Attempt").await;
    assert!(
        detail.contains("Subject:") && detail.contains("sent"),
        "{detail}"
    );
}
