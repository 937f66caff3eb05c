//! Asking the back end to send its own email through its own form, as a
//! browser does (or through its webhook, [`super::webhook`], whose request
//! goes out and is judged here too): read the form's page for its cookies and CSRF field, then
//! post the address. Reading the page changes nothing, so any failure
//! there is worth another attempt; once the post has gone out whole, a
//! lost answer is `uncertain` (the back end may have sent the email).
//! Success is the redirect the mapping names; anything else, a sign-in
//! page above all, is said in words and nothing is marked sent.

use std::time::Duration;

use url::Url;

use super::super::templates::on_site;
use super::claim::Outcome;
use super::http::{exchange, Failed, Request, Response};
use crate::mapping::Sends;

/// The request to the back end, ready to go.
pub(crate) struct Post {
    pub(super) url: Url,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Vec<u8>,
    pub(super) success: Success,
}

/// What answer means the back end took the request.
pub(super) enum Success {
    /// A form's: the redirect to this path.
    Redirect(String),
    /// A webhook's: any 2xx.
    Accepted,
}

pub(super) fn address(base: &str, path: &str) -> Result<Url, Outcome> {
    let text = on_site(base, path);
    Url::parse(&text).map_err(|e| Outcome::Permanent {
        code: None,
        detail: format!(
            "the back end's address '{text}' is not a URL ({e}): check the profile's link base"
        ),
    })
}

/// Reads the form's page (when the form has a CSRF field) and builds the
/// post of `email`. An error is the attempt's outcome; nothing was sent.
pub(crate) async fn prepare(
    base: &str,
    sends: &Sends,
    email: &str,
    timeout: Duration,
    ca_pem: &Option<Vec<u8>>,
) -> Result<Post, Outcome> {
    let Sends::Form {
        email_field,
        csrf_field,
        done,
        ..
    } = sends
    else {
        return Err(Outcome::Permanent {
            code: None,
            detail: "the back end is asked through a form only where the mapping says so".into(),
        });
    };
    let (page_path, path) = sends.paths();
    let page = address(base, page_path)?;
    let url = address(base, path)?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut cookies = Vec::new();
    if let Some(field) = csrf_field {
        let get = Request {
            method: "GET",
            url: &page,
            headers: vec![("Accept", "text/html".into())],
            body: Vec::new(),
        };
        let answer = exchange(&get, timeout, ca_pem).await.map_err(|f| {
            let (Failed::Unreachable(d) | Failed::NotSent(d) | Failed::NoAnswer(d)) = f;
            Outcome::Temporary {
                code: None,
                detail: format!("reading the back end's form at {page}: {d}; nothing was sent"),
            }
        })?;
        if answer.status != 200 {
            return Err(refusal(&answer, &page, "reading the form", None));
        }
        let html = String::from_utf8_lossy(&answer.body);
        let token = input_value(&html, field).ok_or_else(|| Outcome::Permanent {
            code: Some(200),
            detail: if sign_in_page(&html) {
                format!("{page} answered with a sign-in page, not the form: the form needs a signed-in session, which the console does not have; nothing was sent")
            } else {
                format!("the page at {page} has no field named '{field}' (sends.*.csrf_field); nothing was sent")
            },
        })?;
        pairs.push((field, token));
        cookies = answer
            .all("set-cookie")
            .filter_map(|c| c.split(';').next())
            .map(|c| c.trim().to_string())
            .filter(|c| c.contains('='))
            .collect();
    }
    pairs.push((email_field, email.to_string()));
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let origin = url.origin().ascii_serialization();
    let mut headers = vec![
        ("Accept", "text/html".to_string()),
        ("Content-Type", "application/x-www-form-urlencoded".into()),
        ("Origin", origin),
        ("Referer", page.to_string()),
    ];
    if !cookies.is_empty() {
        headers.push(("Cookie", cookies.join("; ")));
    }
    Ok(Post {
        url,
        headers,
        body: body.into_bytes(),
        success: Success::Redirect(done.clone()),
    })
}

impl Post {
    /// Posts the request; the outcome says what the back end did with it.
    pub(crate) async fn send(self, timeout: Duration, ca_pem: &Option<Vec<u8>>) -> Outcome {
        let req = Request {
            method: "POST",
            url: &self.url,
            headers: self.headers,
            body: self.body,
        };
        let answer = match exchange(&req, timeout, ca_pem).await {
            Ok(a) => a,
            Err(Failed::Unreachable(d) | Failed::NotSent(d)) => {
                return Outcome::Temporary {
                    code: None,
                    detail: format!("asking the back end at {}: {d}", self.url),
                }
            }
            Err(Failed::NoAnswer(d)) => {
                return Outcome::Uncertain {
                    detail: format!(
                        "asked the back end at {}: {d}; it may have sent the email",
                        self.url
                    ),
                }
            }
        };
        let done = match &self.success {
            Success::Accepted if (200..=299).contains(&answer.status) => {
                return Outcome::Sent {
                    reply: format!(
                        "{}: the back end's webhook took the request and sends its own email",
                        answer.status
                    ),
                }
            }
            Success::Accepted => {
                return super::webhook::refusal(&answer, &self.url)
                    .unwrap_or_else(|| refusal(&answer, &self.url, "posting to the webhook", None))
            }
            Success::Redirect(done) => done,
        };
        if matches!(answer.status, 301..=303) {
            if let Some(to) = location(&answer, &self.url) {
                if to.path() == done {
                    return Outcome::Sent {
                        reply: format!(
                            "{} to {done}: the back end took the request and sends its own email",
                            answer.status
                        ),
                    };
                }
            }
        }
        refusal(&answer, &self.url, "posting the form", Some(done))
    }
}

/// An answer that is not the success looked for, in words.
fn refusal(answer: &Response, url: &Url, doing: &str, done: Option<&str>) -> Outcome {
    let status = answer.status;
    let html = String::from_utf8_lossy(&answer.body);
    let expected = done.map_or(String::new(), |d| {
        format!(", not the redirect to {d} that means it sent the email")
    });
    let to = location(answer, url);
    let detail = match (status, &to) {
        (301..=399, Some(to)) if sign_in_path(to.path()) => format!(
            "{doing} at {url}: the back end answered with a sign-in page ({to}){expected}: the form needs a signed-in session, which the console does not have; nothing was sent"
        ),
        (301..=399, Some(to)) => format!("{doing} at {url}: the back end redirected to {to}{expected}"),
        (200..=299, _) if sign_in_page(&html) => format!(
            "{doing} at {url}: the back end answered with a sign-in page{expected}; nothing was sent"
        ),
        (200..=299, _) => format!(
            "{doing} at {url}: the back end answered {status} with a page{expected}; most often the form refused the address"
        ),
        (403, _) => format!("{doing} at {url}: the back end refused the request (403: its CSRF check, or a firewall); nothing was sent"),
        (429 | 500..=599, _) => {
            return Outcome::Temporary {
                code: Some(status),
                detail: format!("{doing} at {url}: the back end answered {status}"),
            }
        }
        _ => format!("{doing} at {url}: the back end answered {status}{expected}"),
    };
    Outcome::Permanent {
        code: Some(status),
        detail,
    }
}

fn location(answer: &Response, base: &Url) -> Option<Url> {
    answer
        .header("location")
        .and_then(|l| base.join(l.trim()).ok())
}

fn sign_in_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    ["login", "log_in", "log-in", "sign_in", "signin", "sign-in"]
        .iter()
        .any(|w| p.contains(w))
}

/// A page with a password field is a sign-in page (a reset form has none).
fn sign_in_page(html: &str) -> bool {
    let h = html.to_ascii_lowercase();
    h.contains("type=\"password\"") || h.contains("type='password'") || h.contains("type=password")
}

/// The value of the `<input>` named `name` in `html`, entities decoded.
fn input_value(html: &str, name: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<input") {
        let start = from + at;
        let end = start + lower[start..].find('>')?;
        let tag = &html[start..end];
        from = end;
        if attribute(tag, "name").as_deref() == Some(name) {
            return attribute(tag, "value").map(|v| decode(&v));
        }
    }
    None
}

/// An attribute's value in one tag, quoted or not.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let i = from + at;
        from = i + name.len();
        let before = lower[..i].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = tag[i + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        return Some(match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or("").to_string(),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// HTML's character references in an attribute value.
fn decode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_field_is_read_as_browsers_read_it() {
        let django = r#"<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="Ab12"><input type="email" name="email"></form>"#;
        assert_eq!(
            input_value(django, "csrfmiddlewaretoken").as_deref(),
            Some("Ab12")
        );
        let rails = "<INPUT value='x&#43;y&#x3D;&amp;' autocomplete=\"off\" type=hidden name='authenticity_token' />";
        assert_eq!(
            input_value(rails, "authenticity_token").as_deref(),
            Some("x+y=&")
        );
        let bare = "<input type=hidden name=_token value=abc/>";
        assert_eq!(input_value(bare, "_token").as_deref(), Some("abc"));
        // A field whose name only ends in the one looked for is another.
        let other = r#"<input data-name="csrfmiddlewaretoken" name="x" value="no">"#;
        assert_eq!(input_value(other, "csrfmiddlewaretoken"), None);
        assert!(sign_in_page(r#"<input type="password" name="password">"#));
        assert!(sign_in_path("/accounts/login/") && sign_in_path("/users/sign_in"));
        assert!(!sign_in_path("/accounts/password/reset/done/"));
    }
}
