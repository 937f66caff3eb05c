//! A profile's mail settings: the SMTP server, the sender, the base of the
//! links in account emails, the rate limit and the idempotency window. The
//! SMTP password is in the keychain (`smtp:PROFILE`), never here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS; refused if the server does
    /// not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

impl Security {
    /// For people: "STARTTLS", "TLS (SMTPS)", "no encryption".
    pub fn label(self) -> &'static str {
        match self {
            Security::Starttls => "STARTTLS",
            Security::Tls => "TLS (SMTPS)",
            Security::None => "no encryption",
        }
    }
}

impl std::str::FromStr for Security {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            "none" => Ok(Security::None),
            other => Err(Error::validation(format!(
                "'{other}' is not a security mode; use starttls, tls or none"
            ))),
        }
    }
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

fn default_rate() -> f64 {
    10.0
}

fn default_window() -> u32 {
    60
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailSettings {
    pub smtp_host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// Sign in to the server as this user (password in the keychain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_user: Option<String>,
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// Where verification and reset links point, e.g. `https://shop.example`.
    pub link_base: String,
    /// At most this many messages per second leave this profile's dispatcher.
    #[serde(default = "default_rate")]
    pub rate_per_second: f64,
    /// A repeat trigger inside this many minutes is not queued again.
    #[serde(default = "default_window")]
    pub window_minutes: u32,
    /// A PEM file of certificate authorities trusted besides the public
    /// ones, for a relay whose certificate a company's own CA signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

impl MailSettings {
    /// Settings for a local relay without encryption or sign-in.
    pub fn local(port: u16, from: &str, link_base: &str) -> Self {
        MailSettings {
            smtp_host: "127.0.0.1".into(),
            smtp_port: Some(port),
            security: Security::None,
            smtp_user: None,
            from: from.into(),
            link_base: link_base.into(),
            rate_per_second: default_rate(),
            window_minutes: default_window(),
            ca_file: None,
        }
    }

    /// The certificate authorities of [`MailSettings::ca_file`], as PEM
    /// (none without one). Refuses a file that cannot be read or holds no
    /// certificate, so a typo shows when the settings are saved.
    pub(crate) fn extra_roots(&self) -> Result<Option<Vec<u8>>> {
        let Some(path) = &self.ca_file else {
            return Ok(None);
        };
        let pem = std::fs::read(path).map_err(|e| {
            Error::validation(format!("cannot read the CA file {}: {e}", path.display()))
        })?;
        match roots(&pem, path)? {
            0 => Err(Error::validation(format!(
                "the CA file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                path.display()
            ))),
            _ => Ok(Some(pem)),
        }
    }

    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or(self.security.default_port())
    }

    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.window_minutes))
    }

    /// The pause between two messages the rate limit asks for.
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate_per_second)
    }

    pub fn validate(&self) -> Result<()> {
        if self.smtp_host.trim().is_empty() {
            return Err(Error::validation("an SMTP host is required"));
        }
        self.from.parse::<lettre::message::Mailbox>().map_err(|e| {
            Error::validation(format!("'{}' is not a sender address: {e}", self.from))
        })?;
        link_base(&self.link_base)?;
        if !(self.rate_per_second.is_finite() && self.rate_per_second > 0.0) {
            return Err(Error::validation(
                "the rate limit must be a positive number of messages per second",
            ));
        }
        if self.window_minutes == 0 {
            return Err(Error::validation(
                "the idempotency window must be at least one minute",
            ));
        }
        self.extra_roots().map(|_| ())
    }
}

/// Parses the certificates in `pem`; returns how many there are.
fn roots(pem: &[u8], path: &Path) -> Result<usize> {
    CertificateDer::pem_slice_iter(pem)
        .map(|c| c.map(|_| ()))
        .collect::<std::result::Result<Vec<()>, _>>()
        .map(|certs| certs.len())
        .map_err(|e| {
            Error::validation(format!(
                "the CA file {} is not valid PEM: {e}",
                path.display()
            ))
        })
}

/// The certificates in PEM text the settings already checked.
pub(crate) fn certificates(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(std::result::Result::ok)
        .collect()
}

/// Checks a link base: an absolute http(s) URL without query or fragment.
/// Returns it without a trailing slash.
pub(crate) fn link_base(text: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::validation(format!(
            "the link base '{}' {why}; use e.g. https://shop.example",
            text.chars().take(200).collect::<String>()
        ))
    };
    let url = url::Url::parse(text).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("must start with https:// or http://"));
    }
    if url.query().is_some() || url.fragment().is_some() || url.host_str().is_none() {
        return Err(bad("must be a site address without ? or #"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let ok = MailSettings::local(
            2525,
            "Shop <no-reply@shop.example>",
            "https://shop.example/",
        );
        ok.validate().unwrap();
        assert_eq!(link_base(&ok.link_base).unwrap(), "https://shop.example");
        let bad = MailSettings {
            from: "not an address".into(),
            ..ok.clone()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("sender"));
        for base in ["ftp://x.example", "https://x.example/?a=1", "shop.example"] {
            assert!(link_base(base).is_err(), "{base}");
        }
        let zero = MailSettings {
            rate_per_second: 0.0,
            ..ok.clone()
        };
        assert!(zero.validate().is_err());
    }

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let with = |path: PathBuf| MailSettings {
            ca_file: Some(path),
            ..MailSettings::local(2525, "shop@shop.example", "https://shop.example")
        };
        let missing = with(dir.path().join("missing.pem")).validate();
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("cannot read the CA file"),
            "missing file"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let err = with(empty).validate().unwrap_err().to_string();
        assert!(err.contains("holds no PEM certificate"), "{err}");
        let broken = dir.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = with(broken).validate().unwrap_err().to_string();
        assert!(err.contains("not valid PEM"), "{err}");
    }
}
