//! The back end sends its own email: with the mapping's `[sends]`, a
//! password reset is queued in the outbox as any email is, and the
//! dispatcher asks the back end for it by posting its own form, as a
//! browser does. Against the Django fixture served by Django itself (its
//! allauth reset view, CSRF and all) the email arrives once, from Django;
//! against servers that are down, answer 500, drop the connection after
//! the request, or answer with a sign-in page, nothing is marked sent that
//! was not, and each says why.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use backoffice_core::db::Backend;
use backoffice_core::mapping::detect::detect;
use backoffice_core::mapping::{Mapping, Sends, SendsMap};
use backoffice_core::notify::dispatch::DispatchOptions;
use backoffice_core::notify::{
    self, BackendLinks, OutboxStatus, Policy, Template, Trigger, Triggered,
};
use backoffice_core::session::Ctx;
use backoffice_testkit::smtp::SmtpServer;
use backoffice_testkit::{each_backend, TestDb};
use common::mapped::{django_user, operators};
use common::notify::{at, dispatch_backend as dispatch, queue_backend as queue, quick};

/// allauth's password-reset form, as shop/urls.py includes it.
fn allauth_reset() -> SendsMap {
    SendsMap {
        password_reset: Some(Sends::Form {
            path: "/accounts/password/reset/".into(),
            page: None,
            email_field: "email".into(),
            csrf_field: Some("csrfmiddlewaretoken".into()),
            done: "/accounts/password/reset/done/".into(),
        }),
        verify_email: None,
    }
}

async fn mapping(db: &backoffice_core::db::Db) -> Mapping {
    let mut m = detect(db).await.unwrap().mapping;
    m.sends = Some(allauth_reset());
    m
}

async fn django_sends_its_own_reset_once(backend: Backend) {
    let t = TestDb::fixture(backend, "django").await;
    let (db, admin, support) = operators(&t).await;
    let smtp = SmtpServer::start(&[]);
    let site = t.framework_server("django", &[&smtp.port.to_string()]);
    let mail = at(&smtp, site.base());
    // No secret: the back end makes its own link.
    let links = BackendLinks::new(mapping(&db).await, None);
    let policy = Policy {
        backend: Some(links.clone()),
        ..Policy::from(&mail)
    };
    let ctx = Ctx::new(&db, &support);
    let ada = django_user(&t, "ada").await;

    let preview = notify::preview(&ctx, &policy, Trigger::new(Template::PasswordReset, ada))
        .await
        .unwrap();
    assert!(
        preview
            .text
            .contains("The back end sends its own password reset email")
            && preview.text.contains("/accounts/password/reset/"),
        "{}",
        preview.text
    );
    let id = queue(&ctx, &policy, Trigger::new(Template::PasswordReset, ada)).await;
    let report = dispatch(&ctx, &mail, &links, quick()).await;
    assert_eq!(report.sent, 1, "{report:?}");

    // Django sent it, with its own link, to Ada.
    let received = smtp.wait_for(1, Duration::from_secs(20));
    let email = &received[0];
    assert!(email.to.contains("ada@example.com"), "{}", email.to);
    assert!(email.from.contains("shop@shop.example"), "{}", email.from);
    let own_link = format!("{}/accounts/password/reset/key/", site.base());
    assert!(email.text.contains(&own_link), "{}", email.text);

    // Once: the same reset is not queued again inside the window, and
    // another run sends nothing.
    match notify::send(&ctx, &policy, Trigger::new(Template::PasswordReset, ada))
        .await
        .unwrap()
    {
        Triggered::AlreadySent(s) => assert!(s.notice.contains("already sent"), "{}", s.notice),
        Triggered::Queued { .. } => panic!("queued twice"),
    }
    assert_eq!(dispatch(&ctx, &mail, &links, quick()).await.sent, 0);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.received().len(), 1);

    let shown = notify::show(&Ctx::new(&db, &admin), id).await.unwrap();
    assert_eq!(shown.message.status, OutboxStatus::Sent);
    let reply = shown.message.smtp_reply.unwrap_or_default();
    assert!(reply.contains("/accounts/password/reset/done/"), "{reply}");
    let audited = t
        .texts("SELECT action FROM backoffice_audit_log WHERE entity_type = 'notification'")
        .await;
    assert_eq!(audited, ["notify.send"]);
}

each_backend!(
    django => django_sends_its_own_reset_once,
);

/// A site on loopback that serves the reset form and answers the post as
/// `post` says; counts the posts it received whole.
struct Site {
    port: u16,
    posts: Arc<AtomicUsize>,
}

const FORM: &str = "<form method=post><input type=hidden name=csrfmiddlewaretoken value=tok>\
                    <input name=email></form>";

fn site(page: &'static str, post: &'static str) -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let request = read_request(&mut s);
            let answer = if request.starts_with("POST") {
                counted.fetch_add(1, Ordering::SeqCst);
                post
            } else {
                page
            };
            if answer == "drop" {
                continue; // closed without an answer
            }
            let _ = s.write_all(answer.as_bytes());
        }
    });
    Site { port, posts }
}

/// A request's head and its body, by its Content-Length.
fn read_request(s: &mut std::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if buf.len() >= end + 4 + length {
                return text;
            }
        }
    }
    String::from_utf8_lossy(&buf).to_string()
}

fn answer(status: &str, extra: &str, body: &str) -> &'static str {
    Box::leak(
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_end_that_fails_is_never_marked_sent() {
    let t = TestDb::fixture(Backend::Sqlite, "django").await;
    let (db, admin, support) = operators(&t).await;
    let smtp = SmtpServer::start(&[]);
    let links = BackendLinks::new(mapping(&db).await, None);
    let ctx = Ctx::new(&db, &support);
    let ada = django_user(&t, "ada").await;
    // One attempt per run: the retry waits an hour.
    let options = DispatchOptions {
        backoff: Duration::from_secs(3600),
        backoff_cap: Duration::from_secs(3600),
        ..quick()
    };
    let page = answer("200 OK", "Set-Cookie: csrftoken=c1; Path=/\r\n", FORM);
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cases: [(&str, Option<Site>, OutboxStatus, &str); 5] = [
        (
            "down",
            None,
            OutboxStatus::Queued,
            "connecting to 127.0.0.1",
        ),
        (
            "500",
            Some(site(page, answer("500 Internal Server Error", "", "oops"))),
            OutboxStatus::Queued,
            "answered 500",
        ),
        (
            "dropped",
            Some(site(page, "drop")),
            OutboxStatus::Uncertain,
            "may have sent the email",
        ),
        (
            "sign-in redirect",
            Some(site(
                page,
                answer("302 Found", "Location: /accounts/login/?next=/x/\r\n", ""),
            )),
            OutboxStatus::Failed,
            "answered with a sign-in page",
        ),
        (
            "sign-in page",
            Some(site(
                answer(
                    "200 OK",
                    "",
                    "<form><input type=password name=password></form>",
                ),
                answer(
                    "302 Found",
                    "Location: /accounts/password/reset/done/\r\n",
                    "",
                ),
            )),
            OutboxStatus::Failed,
            "a sign-in page, not the form",
        ),
    ];
    for (case, site, status, why) in cases {
        let port = site.as_ref().map_or(down, |s| s.port);
        let mail = at(&smtp, format!("http://127.0.0.1:{port}"));
        let policy = Policy {
            backend: Some(links.clone()),
            ..Policy::from(&mail)
        };
        let trigger = Trigger {
            key: Some(format!("case {case}")),
            ..Trigger::new(Template::PasswordReset, ada)
        };
        let id = queue(&ctx, &policy, trigger).await;
        let report = dispatch(&ctx, &mail, &links, options.clone()).await;
        assert_eq!(report.sent, 0, "{case}: {report:?}");
        let shown = notify::show(&Ctx::new(&db, &admin), id).await.unwrap();
        assert_eq!(shown.message.status, status, "{case}");
        let error = shown.message.last_error.unwrap_or_default();
        assert!(error.contains(why), "{case}: {error}");
        let posted = site.as_ref().map_or(0, |s| s.posts.load(Ordering::SeqCst));
        let expected = usize::from(!matches!(case, "down" | "sign-in page"));
        assert_eq!(posted, expected, "{case}: posts the site received");
    }
    // The console itself sent nothing.
    assert!(smtp.received().is_empty());
}
