//! One HTTP/1.1 exchange on a connection of its own (`Connection: close`),
//! classed by where it stopped, as the SMTP send is: no connection, a
//! request that never reached the server whole, or a request sent whole
//! whose answer never came (the server may have acted on it).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use url::Url;

use super::socket;

/// The most of an answer read; the rest is not needed to class it.
const MOST: usize = 4 << 20;
const HEADERS: usize = 64;

pub(crate) struct Request<'a> {
    pub method: &'static str,
    pub url: &'a Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    headers: Headers,
    pub body: Vec<u8>,
}

impl Response {
    /// Every value of the header `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }
}

/// Where an exchange stopped.
#[derive(Debug)]
pub(crate) enum Failed {
    /// No connection: nothing reached the server.
    Unreachable(String),
    /// The request did not reach the server whole.
    NotSent(String),
    /// The request was sent whole and no whole answer came back.
    NoAnswer(String),
}

/// Sends `req` and reads the answer, each step within `timeout`.
pub(crate) async fn exchange(
    req: &Request<'_>,
    timeout: Duration,
    ca_pem: &Option<Vec<u8>>,
) -> Result<Response, Failed> {
    let url = req.url;
    let host = url
        .host_str()
        .ok_or_else(|| Failed::NotSent(format!("{url} names no host")))?;
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Failed::NotSent(format!("{url} names no port")))?;
    let tcp = match tokio::time::timeout(timeout, socket::tcp(host, port)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => {
            return Err(Failed::Unreachable(format!(
                "connecting to {host}:{port}: {e}"
            )))
        }
        Err(_) => {
            return Err(Failed::Unreachable(format!(
                "connecting to {host}:{port}: no answer within {timeout:?}"
            )))
        }
    };
    let bytes = head(req, host);
    match url.scheme() {
        "http" => talk(tcp, &bytes, timeout).await,
        "https" => {
            let tls = tokio::time::timeout(timeout, socket::tls(host, tcp, ca_pem))
                .await
                .map_err(|_| Failed::NotSent(format!("TLS with {host}: no answer")))?
                .map_err(|e| Failed::NotSent(format!("TLS with {host}: {e}")))?;
            talk(tls, &bytes, timeout).await
        }
        other => Err(Failed::NotSent(format!(
            "'{other}:' addresses are not HTTP; use http: or https:"
        ))),
    }
}

/// The request's bytes. Header values never carry a line break.
fn head(req: &Request<'_>, host: &str) -> Vec<u8> {
    let url = req.url;
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let mut text = format!(
        "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: Backoffice/{}\r\n",
        req.method,
        env!("CARGO_PKG_VERSION")
    );
    for (name, value) in &req.headers {
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if req.method == "POST" || !req.body.is_empty() {
        text.push_str(&format!("Content-Length: {}\r\n", req.body.len()));
    }
    text.push_str("\r\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&req.body);
    bytes
}

async fn talk<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    bytes: &[u8],
    timeout: Duration,
) -> Result<Response, Failed> {
    let sent = async {
        s.write_all(bytes).await?;
        s.flush().await
    };
    match tokio::time::timeout(timeout, sent).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Failed::NotSent(format!("sending the request: {e}"))),
        Err(_) => return Err(Failed::NotSent("sending the request: timed out".into())),
    }
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let n = match tokio::time::timeout(timeout, s.read(&mut chunk)).await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(Failed::NoAnswer(format!("reading the answer: {e}"))),
            Err(_) => {
                return Err(Failed::NoAnswer(format!(
                    "no whole answer within {timeout:?}"
                )))
            }
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MOST || whole(&buf).is_some() {
            break;
        }
    }
    parse(&buf).ok_or_else(|| {
        Failed::NoAnswer(if buf.is_empty() {
            "the connection closed without an answer".into()
        } else {
            "the connection closed in the middle of the answer".into()
        })
    })
}

type Headers = Vec<(String, String)>;

/// The answer's head: its length, status and headers.
fn parse_head(buf: &[u8]) -> Option<(usize, u16, Headers)> {
    let mut headers = [httparse::EMPTY_HEADER; HEADERS];
    let mut r = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(len) = r.parse(buf).ok()? else {
        return None;
    };
    let headers = r
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Some((len, r.code?, headers))
}

fn length(headers: &Headers) -> Option<usize> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
}

fn chunked(headers: &Headers) -> bool {
    headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    })
}

/// The answer's whole length once it has all arrived, when its headers
/// say how long it is; otherwise it ends when the connection closes.
fn whole(buf: &[u8]) -> Option<usize> {
    let (len, _, headers) = parse_head(buf)?;
    if chunked(&headers) {
        return dechunk(&buf[len..]).map(|(_, used)| len + used);
    }
    let body = length(&headers)?;
    (buf.len() >= len + body).then_some(len + body)
}

/// A whole answer (the body as far as it arrived when the connection
/// closed without a length); none without a whole head, or for a chunked
/// body cut short.
fn parse(buf: &[u8]) -> Option<Response> {
    let (len, status, headers) = parse_head(buf)?;
    let rest = &buf[len..];
    let body = if chunked(&headers) {
        dechunk(rest)?.0
    } else {
        match length(&headers) {
            Some(n) if rest.len() >= n => rest[..n].to_vec(),
            Some(_) if buf.len() <= MOST => return None,
            _ => rest.to_vec(),
        }
    };
    Some(Response {
        status,
        headers,
        body,
    })
}

/// A chunked body's bytes and how much of `b` it took; none until its
/// last chunk has arrived.
fn dechunk(mut b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let start = b.len();
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&b[..end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        b = &b[end + 2..];
        if size == 0 {
            loop {
                let end = b.windows(2).position(|w| w == b"\r\n")?;
                b = &b[end + 2..];
                if end == 0 {
                    return Some((out, start - b.len()));
                }
            }
        }
        if b.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_whole_by_length_or_last_chunk() {
        let plain = b"HTTP/1.1 302 Found\r\nLocation: /done/\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(whole(plain), Some(plain.len()));
        assert_eq!(whole(&plain[..plain.len() - 1]), None);
        let r = parse(plain).unwrap();
        assert_eq!((r.status, r.header("location")), (302, Some("/done/")));

        let chunks = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(whole(chunks), Some(chunks.len()));
        assert_eq!(parse(chunks).unwrap().body, b"abcde");
        assert!(parse(&chunks[..chunks.len() - 4]).is_none());

        // Without a length the body runs to the connection's close.
        let open = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hi";
        assert_eq!(whole(open), None);
        assert_eq!(parse(open).unwrap().body, b"<p>hi");
        assert!(parse(b"HTTP/1.1 200 O").is_none());
    }

    #[test]
    fn the_request_names_the_host_and_its_length() {
        let url = Url::parse("http://127.0.0.1:8000/accounts/password/reset/?a=1").unwrap();
        let req = Request {
            method: "POST",
            url: &url,
            headers: vec![("Cookie", "csrftoken=x\r\nEvil: 1".into())],
            body: b"email=a%40b".to_vec(),
        };
        let text = String::from_utf8(head(&req, "127.0.0.1")).unwrap();
        assert!(text.starts_with(
            "POST /accounts/password/reset/?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        ));
        assert!(text.contains("Cookie: csrftoken=xEvil: 1\r\n"), "{text}");
        assert!(
            text.ends_with("Content-Length: 11\r\n\r\nemail=a%40b"),
            "{text}"
        );
    }
}
