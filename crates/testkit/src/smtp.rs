//! A real SMTP server on loopback: `smtp_server.py` under Debian's
//! python3-aiosmtpd, one per test, killed when dropped. Accepted messages
//! land as files the test reads back, parsed into headers and parts.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_server.py");
/// Debian's interpreter, where python3-aiosmtpd is installed (a python3
/// earlier on PATH may be another one without it).
const PYTHON: &str = "/usr/bin/python3";

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    /// For a TLS server: the PEM file of the test CA that signed its
    /// certificate (for 127.0.0.1), which no client trusts by default.
    pub ca_file: Option<PathBuf>,
}

/// How a TLS test server offers encryption.
#[derive(Clone, Copy, Debug)]
pub enum Tls {
    /// Plain SMTP that offers STARTTLS.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub content_type: String,
    pub raw: String,
}

impl SmtpServer {
    /// Starts a server; `extra` are smtp_server.py options such as
    /// `--delay-ms 50`.
    pub fn start(extra: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().expect("a temporary directory for received mail");
        Self::spawn(dir, extra, None)
    }

    /// Starts a server on a port chosen beforehand (a server that comes
    /// back where a client expects it, after an outage).
    pub fn start_on(port: u16, extra: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().expect("a temporary directory for received mail");
        let port = port.to_string();
        let mut args = vec!["--port", port.as_str()];
        args.extend_from_slice(extra);
        Self::spawn(dir, &args, None)
    }

    /// Starts a server with a certificate for 127.0.0.1 signed by a CA made
    /// for it (see [`SmtpServer::ca_file`]).
    pub fn start_tls(mode: Tls, extra: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().expect("a temporary directory for received mail");
        let ca = rcgen::KeyPair::generate().expect("a CA key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Backoffice test CA");
        let ca_cert = params.self_signed(&ca).expect("the CA certificate");
        let key = rcgen::KeyPair::generate().expect("a server key");
        let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("server params")
            .signed_by(&key, &ca_cert, &ca)
            .expect("the server certificate");
        let file = |name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("a certificate file");
            path.to_str().expect("a UTF-8 path").to_string()
        };
        let ca_file = file("ca.pem", ca_cert.pem());
        let cert = file("server.pem", server.pem());
        let key = file("server.key", key.serialize_pem());
        let mode = match mode {
            Tls::Starttls => "starttls",
            Tls::Implicit => "implicit",
        };
        let mut args = vec!["--tls", mode, "--tls-cert", &cert, "--tls-key", &key];
        args.extend_from_slice(extra);
        Self::spawn(dir, &args, Some(ca_file.into()))
    }

    fn spawn(dir: tempfile::TempDir, extra: &[&str], ca_file: Option<PathBuf>) -> SmtpServer {
        let mut child = Command::new(PYTHON)
            .arg(SCRIPT)
            .arg("--dir")
            .arg(dir.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {PYTHON} for the test SMTP server ({e}); `make test` installs python3 and python3-aiosmtpd")
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("the SMTP server's port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!(
                "the test SMTP server did not start (printed {line:?}); is python3-aiosmtpd \
                 installed? `make test` installs it (apt-get install python3-aiosmtpd)"
            )
        });
        SmtpServer {
            child,
            port,
            dir,
            ca_file,
        }
    }

    /// The messages accepted so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("the mail directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| parse(p)).collect()
    }

    /// Waits until at least `n` messages arrived (or panics after `limit`).
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed() < limit,
                "expected {n} messages at the SMTP server within {limit:?}, got {}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn parse(path: &Path) -> Received {
    let bytes = std::fs::read(path).expect("a received message");
    let mail = mailparse::parse_mail(&bytes).expect("a parsable message");
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    let (mut text, mut html) = (String::new(), String::new());
    let mut parts = vec![&mail];
    while let Some(part) = parts.pop() {
        match part.ctype.mimetype.as_str() {
            "text/plain" => text = part.get_body().expect("a text part"),
            "text/html" => html = part.get_body().expect("an HTML part"),
            _ => parts.extend(part.subparts.iter()),
        }
    }
    Received {
        message_id: header("Message-ID"),
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        content_type: mail.ctype.mimetype.clone(),
        text,
        html,
        raw: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
