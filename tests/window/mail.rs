//! Mail from the user's card: preview and send the verification email; it
//! arrives at the SMTP server, the card opened again lists it, and the
//! second try says "already sent" and sends nothing.

use std::time::Duration;

use backoffice_testkit::smtp::SmtpServer;
use fantoccini::Client;

use crate::driver::{click, fill, picture, text_of, wait_contains};

/// Scrolls the element with this id into view (for a picture of it).
async fn scroll_to(client: &Client, id: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView()",
            vec![serde_json::json!(id)],
        )
        .await
        .unwrap();
}

pub async fn from_the_card(client: &Client, smtp: &SmtpServer, email: &str, user_id: i64) {
    click(client, "#nav button[data-view=users]").await;
    fill(client, "user-search", email).await;
    let row = format!("#users tbody tr[data-user='{user_id}'] td");
    text_of(client, &row).await;
    click(client, &row).await;
    text_of(client, "#card-view:not([hidden]) #card-title").await;
    click(client, "button[data-send=verify_email]").await;
    let preview = text_of(client, "#confirm-dialog[open] #mail-preview").await;
    assert!(preview.contains("https://shop.test"), "{preview}");
    picture(client, "mail-preview").await;
    click(client, "#confirm-ok").await;
    wait_contains(client, "#notice", "Queued as message").await;
    // The card, opened again, lists what was sent to the user.
    let sent = wait_contains(client, "#card-sent", "verify_email").await;
    assert!(sent.contains("admin"), "{sent}");
    scroll_to(client, "card-sent").await;
    picture(client, "card-emails").await;
    scroll_to(client, "card-title").await;
    let got = smtp.wait_for(1, Duration::from_secs(30));
    assert!(got[0].to.ends_with(&format!("<{email}>")), "{}", got[0].to);
    assert!(
        got[0].text.contains("https://shop.test/"),
        "{}",
        got[0].text
    );
    click(client, "button[data-send=verify_email]").await;
    text_of(client, "#confirm-dialog[open] #mail-preview").await;
    click(client, "#confirm-ok").await;
    let refusal = wait_contains(client, "#error:not([hidden])", "already sent").await;
    assert!(refusal.contains("by operator admin"), "{refusal}");
    wait_contains(
        client,
        "#confirm-dialog[open] #confirm-title",
        "already sent",
    )
    .await;
    click(client, "#confirm-cancel").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.received().len(), 1, "the repeat was not sent");
}
