//! A small blocking HTTP/1.1 client for the control API, over a Unix
//! socket: what `vireo ctl` and the tests use. One request per connection
//! (`Connection: close`).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest response body accepted.
pub const MAX_RESPONSE: usize = 16 << 20;

/// The most bytes the status line and headers together may take.
const MAX_HEAD: usize = 64 * 1024;

/// An answer of the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body (empty for `204`), decoded as UTF-8 (invalid sequences
    /// replaced).
    pub body: String,
}

impl ClientResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON; `None` for an empty body.
    pub fn json(&self) -> Result<Option<serde_json::Value>, serde_json::Error> {
        if self.body.trim().is_empty() {
            return Ok(None);
        }
        serde_json::from_str(&self.body).map(Some)
    }

    /// The `fault_message` of an error body, if the body is a `Fault`.
    pub fn fault_message(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        value.get("fault_message")?.as_str().map(str::to_owned)
    }
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing accepted the connection.
    #[error(
        "cannot connect to {}: {source} (is vireo running with --api-sock {}?)",
        path.display(),
        path.display()
    )]
    Connect {
        /// The socket path.
        path: PathBuf,
        /// What `connect` returned.
        #[source]
        source: io::Error,
    },
    /// Sending the request or receiving the answer failed.
    #[error("API socket {}: {source}", path.display())]
    Io {
        /// The socket path.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The server did not answer within the timeout.
    #[error("API socket {}: no answer within {} s", path.display(), timeout.as_secs_f64())]
    Timeout {
        /// The socket path.
        path: PathBuf,
        /// The timeout that ran out.
        timeout: Duration,
    },
    /// The answer is not a well-formed HTTP/1.x response.
    #[error("API socket {}: malformed HTTP response: {reason}", path.display())]
    BadResponse {
        /// The socket path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The answer is larger than [`MAX_RESPONSE`].
    #[error("API socket {}: the response is larger than {MAX_RESPONSE} bytes", path.display())]
    TooLarge {
        /// The socket path.
        path: PathBuf,
    },
    /// The method or path cannot be sent as an HTTP request line.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

/// Send `method path` with `body` (serialized as JSON) to the API socket
/// `sock` and return the answer, whatever its status. Waits as long as
/// the server takes.
pub fn request(
    sock: &Path,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<ClientResponse, ClientError> {
    let body = body.map(|v| v.to_string().into_bytes());
    request_raw(sock, method, path, body.as_deref(), None)
}

/// Like [`request`], with the body as raw bytes (sent as they are, with
/// `Content-Type: application/json`) and an optional timeout for each
/// read and write on the socket.
pub fn request_raw(
    sock: &Path,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    timeout: Option<Duration>,
) -> Result<ClientResponse, ClientError> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ClientError::InvalidRequest(format!(
            "method {method:?}: letters only"
        )));
    }
    if !path.starts_with('/')
        || path
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b < 0x20 || b == 0x7f)
    {
        return Err(ClientError::InvalidRequest(format!(
            "path {path:?}: must start with / and contain no spaces or control characters"
        )));
    }
    let io_err = |source: io::Error| match (source.kind(), timeout) {
        (io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut, Some(timeout)) => {
            ClientError::Timeout {
                path: sock.to_path_buf(),
                timeout,
            }
        }
        _ => ClientError::Io {
            path: sock.to_path_buf(),
            source,
        },
    };

    let mut stream = UnixStream::connect(sock).map_err(|source| ClientError::Connect {
        path: sock.to_path_buf(),
        source,
    })?;
    stream.set_read_timeout(timeout).map_err(io_err)?;
    stream.set_write_timeout(timeout).map_err(io_err)?;

    let body = body.unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
         Connection: close\r\n"
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut message = head.into_bytes();
    message.extend_from_slice(body);
    let sent = stream.write_all(&message).and_then(|()| stream.flush());

    // A server may answer (413, say) and close before reading the whole
    // body: try to read its answer even when sending failed.
    let received = read_response(&mut BufReader::new(&stream), sock);
    match (sent, received) {
        (_, Ok(response)) => Ok(response),
        (Err(e), Err(_)) => Err(io_err(e)),
        (Ok(()), Err(ReadError::Io(e))) => Err(io_err(e)),
        (Ok(()), Err(ReadError::Client(e))) => Err(e),
    }
}

/// A failure to read a response.
enum ReadError {
    /// An I/O error (mapped to `Io` or `Timeout` by the caller).
    Io(io::Error),
    /// Anything else.
    Client(ClientError),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Read one line ending in LF (CRLF or LF stripped), counting against
/// `budget`.
fn read_line(
    reader: &mut impl BufRead,
    budget: &mut usize,
    sock: &Path,
    what: &str,
) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let limit = *budget as u64 + 1;
    reader.take(limit).read_until(b'\n', &mut line)?;
    if line.len() > *budget {
        return Err(bad(sock, format!("the {what} is too long")));
    }
    *budget -= line.len();
    if line.last() != Some(&b'\n') {
        return Err(bad(
            sock,
            format!("the connection closed in the middle of the {what}"),
        ));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| bad(sock, format!("the {what} is not text")))
}

/// A `BadResponse`.
fn bad(sock: &Path, reason: String) -> ReadError {
    ReadError::Client(ClientError::BadResponse {
        path: sock.to_path_buf(),
        reason,
    })
}

/// Read a response: status line, headers, body (by `Content-Length`,
/// chunked, or to the end of the stream). Interim `1xx` responses are
/// skipped.
fn read_response(reader: &mut impl BufRead, sock: &Path) -> Result<ClientResponse, ReadError> {
    let mut budget = MAX_HEAD;
    loop {
        let status_line = read_line(reader, &mut budget, sock, "status line")?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let code = parts.next().unwrap_or_default();
        if !version.starts_with("HTTP/1.") {
            return Err(bad(sock, format!("unexpected status line {status_line:?}")));
        }
        let status: u16 = match code.parse() {
            Ok(s) if (100..=999).contains(&s) => s,
            _ => return Err(bad(sock, format!("bad status code in {status_line:?}"))),
        };

        let mut content_length: Option<usize> = None;
        let mut chunked = false;
        loop {
            let line = read_line(reader, &mut budget, sock, "header")?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(bad(sock, format!("malformed header {line:?}")));
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                let n: usize = value
                    .parse()
                    .map_err(|_| bad(sock, format!("bad Content-Length {value:?}")))?;
                content_length = Some(n);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("chunked"));
            }
        }
        if (100..200).contains(&status) {
            continue;
        }

        let body = if status == 204 || status == 304 {
            Vec::new()
        } else if chunked {
            read_chunked(reader, sock)?
        } else if let Some(n) = content_length {
            if n > MAX_RESPONSE {
                return Err(ReadError::Client(ClientError::TooLarge {
                    path: sock.to_path_buf(),
                }));
            }
            let mut body = vec![0; n];
            reader.read_exact(&mut body).map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    bad(sock, format!("the body ended before its {n} bytes"))
                } else {
                    ReadError::Io(e)
                }
            })?;
            body
        } else {
            let mut body = Vec::new();
            reader
                .take(MAX_RESPONSE as u64 + 1)
                .read_to_end(&mut body)?;
            if body.len() > MAX_RESPONSE {
                return Err(ReadError::Client(ClientError::TooLarge {
                    path: sock.to_path_buf(),
                }));
            }
            body
        };
        return Ok(ClientResponse {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
}

/// Read a chunked body.
fn read_chunked(reader: &mut impl BufRead, sock: &Path) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD;
    loop {
        let line = read_line(reader, &mut budget, sock, "chunk header")?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| bad(sock, format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(reader, &mut budget, sock, "trailer")?.is_empty() {}
            return Ok(body);
        }
        if size > MAX_RESPONSE - body.len() {
            return Err(ReadError::Client(ClientError::TooLarge {
                path: sock.to_path_buf(),
            }));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_line(reader, &mut budget, sock, "chunk")?.is_empty() {
            return Err(bad(sock, "a chunk is longer than its size".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<ClientResponse, String> {
        read_response(&mut io::Cursor::new(raw), Path::new("/s")).map_err(|e| match e {
            ReadError::Io(e) => format!("io: {e}"),
            ReadError::Client(e) => e.to_string(),
        })
    }

    #[test]
    fn parses_responses() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\n\r\n{}").unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, "{}");
        assert!(r.is_success());
        assert_eq!(r.json().unwrap(), Some(serde_json::json!({})));

        let r = parse(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert_eq!((r.status, r.body.as_str()), (204, ""));
        assert_eq!(r.json().unwrap(), None);

        let r = parse(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\n\
              Transfer-Encoding: chunked\r\n\r\n5;x=1\r\n{\"fau\r\n\
              d\r\nlt_message\":\"\r\n4\r\nno\"}\r\n0\r\nT: 1\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.status, 400);
        assert_eq!(r.fault_message().as_deref(), Some("no"));

        // No length: to the end.
        let r = parse(b"HTTP/1.0 500 X\n\nabc").unwrap();
        assert_eq!((r.status, r.body.as_str()), (500, "abc"));
    }

    #[test]
    fn rejects_malformed() {
        for raw in [
            &b""[..],
            b"SSH-2.0\r\n\r\n",
            b"HTTP/1.1 2000 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nbroken\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
        ] {
            assert!(parse(raw).is_err(), "{:?}", String::from_utf8_lossy(raw));
        }
        let long_header = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(parse(long_header.as_bytes())
            .unwrap_err()
            .contains("too long"));
    }

    #[test]
    fn connect_error_names_the_socket() {
        let path = std::env::temp_dir().join(format!("vireo-no-such-{}.sock", std::process::id()));
        let err = request(&path, "GET", "/", None).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ClientError::Connect { .. }));
        assert!(
            text.contains("cannot connect to") && text.contains("--api-sock"),
            "{text}"
        );
    }

    #[test]
    fn refuses_unsendable_requests() {
        let p = Path::new("/nonexistent");
        assert!(matches!(
            request(p, "G T", "/", None),
            Err(ClientError::InvalidRequest(_))
        ));
        assert!(matches!(
            request(p, "GET", "/a b", None),
            Err(ClientError::InvalidRequest(_))
        ));
        assert!(matches!(
            request(p, "GET", "x", None),
            Err(ClientError::InvalidRequest(_))
        ));
    }
}
