//! One SMTP connection, kept open across messages, and the send of one
//! message step by step so that a failure is classed by where it happened:
//! a refusal with a 4xx code is temporary, 5xx permanent, a broken
//! connection before the message was handed over is temporary, and one
//! after the final "." but before the reply is `uncertain` (RFC 5321
//! §6.1: the server may have taken responsibility for it).

use std::future::Future;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use lettre::Message;

use super::super::templates::Rendered;
use super::super::{MailSettings, Security};
use super::claim::{Claimed, Outcome};
use super::socket;
use crate::secrets::Secret;
use crate::{Error, Result};

/// A built message: who to tell the server, and the bytes.
pub(crate) struct Letter {
    envelope: Envelope,
    bytes: Vec<u8>,
}

impl Letter {
    /// Builds the MIME message (plain text and HTML alternatives). The
    /// Message-ID is the outbox row's uid, the same on every attempt, so a
    /// receiver can tell a resend from a new message.
    pub(crate) fn build(
        settings: &MailSettings,
        msg: &Claimed,
        rendered: &Rendered,
    ) -> std::result::Result<Letter, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("the sender '{}' is not valid: {e}", settings.from))?;
        let address = msg
            .recipient
            .parse()
            .map_err(|e| format!("the recipient address is not valid: {e}"))?;
        let name = (!msg.recipient_name.trim().is_empty()).then(|| msg.recipient_name.clone());
        let to = Mailbox::new(name, address);
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(rendered.subject.clone())
            .message_id(Some(format!("<{}@{}>", msg.uid, from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                rendered.html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        Ok(Letter {
            envelope: message.envelope().clone(),
            bytes: message.formatted(),
        })
    }
}

pub(crate) struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    /// Certificate authorities trusted besides the public ones (PEM).
    ca_pem: Option<Vec<u8>>,
    conn: Option<AsyncSmtpConnection>,
}

/// Where a send stopped, for classing a broken connection.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    BeforeHandover,
    AfterHandover,
}

impl Smtp {
    pub(crate) fn new(
        settings: &MailSettings,
        password: Option<&Secret>,
        timeout: Duration,
    ) -> Result<Smtp> {
        let credentials = match (&settings.smtp_user, password) {
            (Some(user), Some(p)) => Some(Credentials::new(user.clone(), p.expose().to_string())),
            (Some(user), None) => {
                return Err(Error::Unavailable(format!(
                    "the SMTP user '{user}' has no password in the keychain; store it with \
                     `backoffice profile mail PROFILE … --smtp-user USER`"
                )))
            }
            (None, _) => None,
        };
        Ok(Smtp {
            host: settings.smtp_host.clone(),
            port: settings.port(),
            security: settings.security,
            credentials,
            timeout,
            hello: ClientId::default(),
            ca_pem: settings.extra_roots()?,
            conn: None,
        })
    }

    async fn within<T>(
        &self,
        what: &str,
        f: impl Future<Output = std::result::Result<T, lettre::transport::smtp::Error>>,
    ) -> std::result::Result<T, Failure> {
        match tokio::time::timeout(self.timeout, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(Failure::from_smtp(what, e)),
            Err(_) => Err(Failure {
                code: None,
                detail: format!("{what}: no answer within {:?}", self.timeout),
                down: false,
            }),
        }
    }

    /// Opens the connection; a certificate no trusted authority signed is
    /// explained, since rustls names it only `UnknownIssuer`.
    async fn connect(&self) -> std::result::Result<AsyncSmtpConnection, Failure> {
        self.open().await.map_err(|mut f| {
            if f.detail.contains("UnknownIssuer") {
                f.detail.push_str(
                    " (no trusted authority signed the server's certificate; if your \
                     organisation signs its own, add its CA with `backoffice profile mail \
                     PROFILE … --ca-file CA.pem`)",
                );
            }
            f
        })
    }

    async fn open(&self) -> std::result::Result<AsyncSmtpConnection, Failure> {
        let what = format!("connecting to {}:{}", self.host, self.port);
        let network = |e: std::io::Error| Failure {
            code: None,
            detail: format!("{what}: {e}"),
            down: false,
        };
        // No TCP connection, or no greeting (or a 421 one): the server is
        // down, whatever message comes next.
        let down = |mut f: Failure| {
            f.down = f.code.is_none() || f.code == Some(421);
            f
        };
        let tcp = tokio::time::timeout(self.timeout, socket::tcp(&self.host, self.port))
            .await
            .map_err(|_| down(network(std::io::ErrorKind::TimedOut.into())))?
            .map_err(|e| down(network(e)))?;
        let stream: Box<dyn AsyncTokioStream> = match self.security {
            Security::Tls => Box::new(
                tokio::time::timeout(self.timeout, socket::tls(&self.host, tcp, &self.ca_pem))
                    .await
                    .map_err(|_| network(std::io::ErrorKind::TimedOut.into()))?
                    .map_err(network)?,
            ),
            Security::Starttls | Security::None => Box::new(tcp),
        };
        let mut conn = self
            .within(
                &what,
                AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
            )
            .await
            .map_err(down)?;
        if self.security == Security::Starttls {
            if !conn.can_starttls() {
                return Err(Failure {
                    code: None,
                    detail: format!(
                        "{}:{} does not offer STARTTLS; nothing was sent in clear",
                        self.host, self.port
                    ),
                    down: false,
                });
            }
            let tls = |e| Failure::from_smtp("TLS setup", e);
            let mut params = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.ca_pem {
                params = params.add_root_certificate(Certificate::from_pem(pem).map_err(tls)?);
            }
            let params = params.build().map_err(tls)?;
            self.within("STARTTLS", conn.starttls(params, &self.hello))
                .await?;
        }
        if let Some(c) = &self.credentials {
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            self.within("signing in", conn.auth(&mechanisms, c)).await?;
        }
        Ok(conn)
    }

    /// Opens the connection unless one is open. A server that is down is
    /// told apart from one that refuses this client (TLS, sign-in), whose
    /// refusal is the next message's outcome.
    pub(crate) async fn ready(&mut self) -> Connect {
        if self.conn.as_ref().is_some_and(|c| !c.has_broken()) {
            return Connect::Ready;
        }
        match self.connect().await {
            Ok(c) => {
                self.conn = Some(c);
                Connect::Ready
            }
            Err(f) if f.down => Connect::Down(f.detail),
            Err(f) => Connect::Failed(f.temporary()),
        }
    }

    /// Sends one message on the open connection (opening it if needed).
    pub(crate) async fn send(&mut self, letter: &Letter) -> Outcome {
        let mut conn = match self.conn.take() {
            Some(c) if !c.has_broken() => c,
            _ => match self.connect().await {
                Ok(c) => c,
                Err(f) => return f.temporary(),
            },
        };
        match self.transaction(&mut conn, letter).await {
            Ok(reply) => {
                self.conn = Some(conn);
                Outcome::Sent {
                    reply: describe(&reply),
                }
            }
            Err((step, failure)) => {
                // A refusal leaves the connection usable once reset; a
                // broken connection is dropped.
                if failure.code.is_some() && self.within("RSET", conn.command(Rset)).await.is_ok() {
                    self.conn = Some(conn);
                }
                match (failure.code, step) {
                    (Some(c), _) if c >= 500 => Outcome::Permanent {
                        code: Some(c),
                        detail: failure.detail,
                    },
                    (Some(_), _) | (None, Step::BeforeHandover) => failure.temporary(),
                    (None, Step::AfterHandover) => Outcome::Uncertain {
                        detail: format!(
                            "{}; the server may have accepted the message",
                            failure.detail
                        ),
                    },
                }
            }
        }
    }

    async fn transaction(
        &self,
        conn: &mut AsyncSmtpConnection,
        letter: &Letter,
    ) -> std::result::Result<Response, (Step, Failure)> {
        let before = |f| (Step::BeforeHandover, f);
        let mut options = Vec::new();
        let non_ascii = letter
            .envelope
            .to()
            .iter()
            .chain(letter.envelope.from())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii && conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            options.push(MailParameter::SmtpUtfEight);
        }
        if !letter.bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime)
        {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mail = Mail::new(letter.envelope.from().cloned(), options);
        self.within("MAIL FROM", conn.command(mail))
            .await
            .map_err(before)?;
        for to in letter.envelope.to() {
            let rcpt = Rcpt::new(to.clone(), vec![]);
            self.within("RCPT TO", conn.command(rcpt))
                .await
                .map_err(before)?;
        }
        self.within("DATA", conn.command(Data))
            .await
            .map_err(before)?;
        self.within("sending the message", conn.message(&letter.bytes))
            .await
            .map_err(|f| (Step::AfterHandover, f))
    }

    pub(crate) async fn quit(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = tokio::time::timeout(self.timeout, c.quit()).await;
        }
    }
}

/// Whether a connection is open to send on.
pub(crate) enum Connect {
    Ready,
    /// The server did not accept a connection: its state, not a message's.
    Down(String),
    /// The server answered but refused this client (TLS, sign-in).
    Failed(Outcome),
}

/// A failed step: the server's code when it answered, and what happened.
struct Failure {
    code: Option<u16>,
    detail: String,
    /// The server is down (see [`Connect::Down`]).
    down: bool,
}

impl Failure {
    fn from_smtp(what: &str, e: lettre::transport::smtp::Error) -> Failure {
        Failure {
            code: e.status().map(u16::from),
            detail: format!("{what}: {e}"),
            down: false,
        }
    }

    fn temporary(self) -> Outcome {
        Outcome::Temporary {
            code: self.code,
            detail: self.detail,
        }
    }
}

/// "250 2.0.0 OK queued as 12".
fn describe(reply: &Response) -> String {
    let text: Vec<&str> = reply.message().collect();
    format!("{} {}", reply.code(), text.join(" "))
        .trim()
        .to_string()
}
