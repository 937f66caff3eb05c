//! Rendering. The templates are files compiled into the binary; HTML parts
//! (`.html`) escape every value by default, so a display name such as
//! `<script>` arrives as text. Subjects and plain-text parts are not HTML
//! and are not escaped; a subject is folded onto one line.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Template;
use crate::{Error, Result};

/// What a recipient sees.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Shown in place of a link's token when nothing is sent.
pub(crate) const TOKEN_PLACEHOLDER: &str = "TOKEN-CREATED-WHEN-SENT";
/// Shown in place of the link base where no mail settings are known.
pub(crate) const BASE_PLACEHOLDER: &str = "https://LINK-BASE";

macro_rules! files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("templates/", $name)))),*]
    };
}

const FILES: &[(&str, &str)] = files!(
    "layout.html",
    "items.html",
    "verify_email.subject",
    "verify_email.txt",
    "verify_email.html",
    "password_reset.subject",
    "password_reset.txt",
    "password_reset.html",
    "order_status.subject",
    "order_status.txt",
    "order_status.html",
    "order_shipped.subject",
    "order_shipped.txt",
    "order_shipped.html",
    "support_message.subject",
    "support_message.txt",
    "support_message.html",
);

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A value the template names but the message lacks is a bug in the
        // template, not something to send as an empty string.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in FILES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not parse: {e}"));
        }
        env
    })
}

/// Renders `template` with the frozen `vars` and, for account emails, the
/// link (with its token, or a placeholder for previews).
pub(crate) fn render(template: Template, vars: &Value, link: Option<&str>) -> Result<Rendered> {
    let mut ctx: Map<String, Value> = vars.as_object().cloned().unwrap_or_default();
    if let Some(kind) = template.link() {
        let link = link.ok_or_else(|| Error::internal("an account email needs its link"))?;
        ctx.insert("link".into(), Value::from(link));
        // A back end's own link lives as long as it decides (frozen in the
        // values when queued); the console's tokens as long as theirs.
        ctx.entry("expires_in")
            .or_insert_with(|| Value::from(kind.ttl_text));
    }
    let ctx = Value::Object(ctx);
    let part = |ext: &str| -> Result<String> {
        let name = format!("{}.{ext}", template.id());
        env()
            .get_template(&name)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| Error::internal(format!("cannot render {name}: {e}")))
    };
    Ok(Rendered {
        subject: one_line(&part("subject")?),
        text: part("txt")?,
        html: part("html")?,
    })
}

/// A path on the back end's site: the profile's link base, then `path`
/// (which starts with "/").
pub(crate) fn on_site(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The link of an account email: the profile's base, the template's path
/// and the token.
pub(crate) fn link(base: &str, template: Template, token: &str) -> Option<String> {
    let kind = template.link()?;
    Some(on_site(base, &format!("/{}?token={token}", kind.path)))
}

/// What is shown of a message the back end sends itself: the console only
/// asks, at `form` (the address the mapping's `[sends]` names, when
/// known); the wording and the link are the back end's own.
pub(crate) fn by_backend(template: Template, to: &str, form: Option<&str>) -> Rendered {
    let what = template.id().replace('_', " ");
    let how = match form {
        Some(url) => format!("by posting its form at {url} as a browser does"),
        None => "by posting its form as a browser does".into(),
    };
    let text = format!(
        "The back end sends its own {what} email to {to}: the console asks it to, {how}. \
         The wording and the link are the back end's."
    );
    let html = format!("<p>{}</p>", minijinja::HtmlEscape(&text));
    Rendered {
        subject: format!("({what} email sent by the back end)"),
        text,
        html,
    }
}

/// Folds whitespace (newlines included) to single spaces: a subject is
/// one header line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Value {
        json!({
            "user": {"name": "<script>alert(1)</script>", "email": "a@example.com"},
            "order": {"id": 7, "status": "shipped", "placed_on": "2026-01-02",
                      "shipped_on": "2026-01-03", "total": "€12.00",
                      "items": [{"quantity": 2, "name": "Mug & <b>", "line_total": "€12.00"}]},
            "message": {"subject": "Hello\r\nBcc: x@evil.example", "body": "Line 1\n<i>2</i>"},
        })
    }

    #[test]
    fn every_template_renders_and_escapes_html() {
        for t in Template::ALL {
            let link = link("https://shop.example", t, "abc");
            let r = render(t, &vars(), link.as_deref()).unwrap();
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{t:?}");
            assert!(
                r.html
                    .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
                "{t:?}: {}",
                r.html
            );
            assert!(!r.html.contains("<script>"), "{t:?}");
            assert!(r.text.contains("<script>alert(1)</script>"), "{t:?}");
        }
    }

    #[test]
    fn links_and_free_text() {
        let v = vars();
        let r = render(
            Template::PasswordReset,
            &v,
            link("https://shop.example/", Template::PasswordReset, "T0K").as_deref(),
        )
        .unwrap();
        assert!(r
            .text
            .contains("https://shop.example/reset-password?token=T0K"));
        assert!(r.text.contains("1 hour"));
        let r = render(Template::SupportMessage, &v, None).unwrap();
        assert_eq!(r.subject, "Hello Bcc: x@evil.example");
        assert!(r.html.contains("&lt;i&gt;2&lt;&#x2f;i&gt;"));
        let r = render(Template::OrderShipped, &v, None).unwrap();
        assert!(r.html.contains("Mug &amp; &lt;b&gt;"), "{}", r.html);
    }

    #[test]
    fn a_missing_value_is_an_error_not_a_blank() {
        let err = render(
            Template::OrderStatus,
            &json!({"user": {"name": "A", "email": "a@x"}}),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("order_status"), "{err}");
    }
}
