//! Account emails the back end sends itself: `[sends.password_reset]` and
//! `[sends.verify_email]` say how the console asks the back end (over
//! HTTP) to send its own email instead of sending one with a link: through
//! the site's own form, as a browser would, or through a webhook the back
//! end exposes, signed with a secret kept in the keychain. Nothing here is
//! a secret.

use serde::{Deserialize, Serialize};

use super::Mapping;

/// The account emails this back end sends itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendsMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reset: Option<Sends>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<Sends>,
}

/// How the back end is asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum Sends {
    /// The site's own form, posted as a browser posts it: the page is read
    /// first for its cookies and its CSRF field, then the address is posted
    /// to `path`; a redirect to `done` means the back end took it.
    /// Django's password reset is `/accounts/password/reset/` (allauth) or
    /// `/accounts/password_reset/` (django.contrib.auth), with
    /// `csrfmiddlewaretoken`; Devise's is `page = "/users/password/new"`,
    /// `path = "/users/password"`, `email_field = "user[email]"`,
    /// `csrf_field = "authenticity_token"`, `done = "/users/sign_in"`.
    Form {
        /// Where the form is posted, after the profile's link base.
        path: String,
        /// The page the form is on, when it is not `path`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<String>,
        /// The form's address field.
        #[serde(default = "email_field")]
        email_field: String,
        /// The form's hidden CSRF field, read from the page; none: the
        /// form has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        csrf_field: Option<String>,
        /// Where the back end redirects once it has sent the email.
        done: String,
    },
    /// A webhook of the back end's: a JSON post to `path` (after the
    /// profile's link base), signed with HMAC-SHA256 under the profile's
    /// webhook secret (`backoffice profile webhook-secret`); any 2xx
    /// answer means the back end took it. docs/MAPPING.md gives the
    /// contract and a Django view that keeps it.
    Webhook {
        /// Where the webhook is posted, after the profile's link base.
        path: String,
    },
}

fn email_field() -> String {
    "email".into()
}

impl Sends {
    /// The page read before posting, and where the form is posted.
    pub fn paths(&self) -> (&str, &str) {
        match self {
            Sends::Form { path, page, .. } => (page.as_deref().unwrap_or(path), path),
            Sends::Webhook { path } => (path, path),
        }
    }

    /// Whether asking needs the profile's webhook secret.
    pub fn signed(&self) -> bool {
        matches!(self, Sends::Webhook { .. })
    }
}

impl Mapping {
    /// How the back end sends this kind (`password_reset`,
    /// `verify_email`) itself; none: the console sends the email.
    pub fn sends(&self, kind: &str) -> Option<&Sends> {
        let s = self.sends.as_ref()?;
        match kind {
            "password_reset" => s.password_reset.as_ref(),
            "verify_email" => s.verify_email.as_ref(),
            _ => None,
        }
    }

    pub(super) fn sends_problems(&self) -> Vec<String> {
        let Some(s) = &self.sends else {
            return Vec::new();
        };
        let mut bad = Vec::new();
        for (name, sends) in [
            ("password_reset", &s.password_reset),
            ("verify_email", &s.verify_email),
        ] {
            let (path, page, done, fields) = match sends {
                None => continue,
                Some(Sends::Webhook { path }) => (path, None, None, [None, None]),
                Some(Sends::Form {
                    path,
                    page,
                    email_field,
                    csrf_field,
                    done,
                }) => (
                    path,
                    page.as_ref(),
                    Some(done),
                    [Some(email_field), csrf_field.as_ref()],
                ),
            };
            for (field, p) in [("path", Some(path)), ("page", page), ("done", done)] {
                let Some(p) = p else { continue };
                if !p.starts_with('/') || p.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    bad.push(format!(
                        "sends.{name}.{field}: '{p}' must start with / and hold no spaces"
                    ));
                }
            }
            for (field, f) in ["email_field", "csrf_field"].into_iter().zip(fields) {
                let Some(f) = f else { continue };
                if f.is_empty() || f.chars().any(|c| c.is_whitespace() || c == '"' || c == '<') {
                    bad.push(format!(
                        "sends.{name}.{field}: '{f}' is not a form field's name"
                    ));
                }
            }
        }
        bad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_reads_its_page_and_is_checked() {
        let m = Mapping::parse(
            "format = 1\n[sends.password_reset]\nby = \"form\"\npath = \"/users/password\"\n\
             page = \"/users/password/new\"\nemail_field = \"user[email]\"\n\
             csrf_field = \"authenticity_token\"\ndone = \"/users/sign_in\"\n",
        )
        .unwrap();
        let s = m.sends("password_reset").unwrap();
        assert_eq!(s.paths(), ("/users/password/new", "/users/password"));
        assert!(m.sends("verify_email").is_none());
        let bad = Mapping::parse(
            "format = 1\n[sends.verify_email]\nby = \"form\"\npath = \"x y\"\n\
             email_field = \"\"\ndone = \"/done/\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("sends.verify_email.path: 'x y' must start with /"),
            "{bad}"
        );
        assert!(
            bad.contains("sends.verify_email.email_field: '' is not"),
            "{bad}"
        );
        let hook = Mapping::parse(
            "format = 1\n[sends.password_reset]\nby = \"webhook\"\npath = \"/hooks/send/\"\n",
        )
        .unwrap();
        let s = hook.sends("password_reset").unwrap();
        assert!(s.signed() && s.paths().1 == "/hooks/send/");
        let bad = Mapping::parse(
            "format = 1\n[sends.password_reset]\nby = \"webhook\"\npath = \"hooks\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("sends.password_reset.path: 'hooks' must start"),
            "{bad}"
        );
    }
}
