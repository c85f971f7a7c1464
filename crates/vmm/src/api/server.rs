//! The HTTP/1.1 side of the control API: a Unix-socket server on
//! `tiny_http` that parses requests with [`route`], hands them to an
//! [`ApiHandler`] one at a time on a thread of its own, and renders the
//! answers (`204`, `200` + JSON, or an error status with
//! `{"fault_message": ...}`).
//!
//! [`route`] is a pure function of method, URL and body so that it can be
//! unit-tested and fuzzed without sockets.

use super::{
    Action, ApiError, ApiHandler, ApiRequest, ApiResponse, BootSource, Drive, Fault, MachineConfig,
    NetworkInterface, SnapshotCreate, SnapshotLoad, VmStatePatch,
};
use serde::de::DeserializeOwned;
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The largest request body accepted; larger ones get `413`.
pub const MAX_BODY: usize = 64 * 1024;

/// The name of the thread that serves requests.
pub const API_THREAD_NAME: &str = "vireo-api";

/// The longest an identifier in a path (`{drive_id}`, `{iface_id}`) may be.
pub const MAX_ID_LEN: usize = 64;

/// How long a client may take to send a body that `tiny_http` did not
/// already buffer (over 1 KiB, chunked, or after `Expect: 100-continue`)
/// before it gets `408` and the server moves on to the next request.
const BODY_TIMEOUT: Duration = if cfg!(test) {
    Duration::from_secs(1)
} else {
    Duration::from_secs(10)
};

/// A declared body larger than [`MAX_BODY`] but at most this is drained
/// after the `413` (on a thread of its own), so that the client can finish
/// sending and read the answer. `tiny_http` 0.12 drains by allocating one
/// buffer of the undelivered size, so a larger declared length is not
/// drained: that request is dropped unanswered (see [`serve_one`]).
const MAX_DRAIN: usize = 16 << 20;

/// The longest Unix socket path (`sun_path` is 108 bytes with the NUL).
const MAX_SOCKET_PATH: usize = 107;

/// Why the API server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ApiServerError {
    /// Another process is listening on the socket path.
    #[error(
        "API socket {}: another process is already listening there (a running vireo?); \
         stop it or choose another --api-sock path",
        path.display()
    )]
    AddressInUse {
        /// The socket path.
        path: PathBuf,
    },
    /// The path exists and is not a socket (it is never removed).
    #[error(
        "API socket {}: the path exists and is not a socket; refusing to replace it",
        path.display()
    )]
    NotASocket {
        /// The path.
        path: PathBuf,
    },
    /// The path is too long for a Unix socket address.
    #[error(
        "API socket {}: the path is {len} bytes long, a Unix socket path can have at most {MAX_SOCKET_PATH}",
        path.display()
    )]
    PathTooLong {
        /// The path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
    },
    /// A stale socket (nobody listening) could not be removed.
    #[error("API socket {}: cannot remove the stale socket: {source}", path.display())]
    RemoveStale {
        /// The path.
        path: PathBuf,
        /// What the removal returned.
        #[source]
        source: io::Error,
    },
    /// Binding or listening failed.
    #[error("API socket {}: cannot listen: {source}", path.display())]
    Bind {
        /// The path.
        path: PathBuf,
        /// What `bind`/`listen` returned.
        #[source]
        source: io::Error,
    },
    /// `tiny_http` refused the listener.
    #[error("API socket {}: cannot start the HTTP server: {message}", path.display())]
    Http {
        /// The path.
        path: PathBuf,
        /// `tiny_http`'s error, as text.
        message: String,
    },
    /// The API thread could not be started.
    #[error("cannot start the API thread: {0}")]
    Spawn(#[source] io::Error),
}

/// A running API server. Dropping it stops the server: it waits for the
/// request in progress (if any) to be answered, ends the API thread and
/// removes the socket file.
#[must_use = "dropping the ApiServer stops it"]
pub struct ApiServer {
    path: PathBuf,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiServer")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ApiServer {
    /// The socket path the server listens on.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // A handler that drops the server from the API thread itself
            // must not wait for its own end.
            if thread.thread().id() != thread::current().id() {
                let _ = thread.join();
            }
        }
        // The last reference to the tiny_http server goes with `self`: its
        // drop stops the accept thread and removes the socket file.
    }
}

/// Bind the API socket at `path` and serve requests with `handler` on a
/// thread named [`API_THREAD_NAME`], one request at a time.
///
/// An existing socket nobody listens on (left by a process that died) is
/// removed; one somebody listens on gives [`ApiServerError::AddressInUse`];
/// any other existing file gives [`ApiServerError::NotASocket`].
pub fn serve(path: &Path, handler: Arc<dyn ApiHandler>) -> Result<ApiServer, ApiServerError> {
    let owned = || path.to_path_buf();
    let len = path.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(ApiServerError::PathTooLong { path: owned(), len });
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            if UnixStream::connect(path).is_ok() {
                return Err(ApiServerError::AddressInUse { path: owned() });
            }
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(ApiServerError::RemoveStale {
                        path: owned(),
                        source,
                    })
                }
            }
        }
        Ok(_) => return Err(ApiServerError::NotASocket { path: owned() }),
        Err(_) => {}
    }
    let listener = UnixListener::bind(path).map_err(|source| {
        if source.kind() == io::ErrorKind::AddrInUse {
            ApiServerError::AddressInUse { path: owned() }
        } else {
            ApiServerError::Bind {
                path: owned(),
                source,
            }
        }
    })?;
    let server = match tiny_http::Server::from_listener(listener, None) {
        Ok(server) => Arc::new(server),
        Err(e) => {
            let _ = std::fs::remove_file(path);
            return Err(ApiServerError::Http {
                path: owned(),
                message: e.to_string(),
            });
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let server = Arc::clone(&server);
        let stop = Arc::clone(&stop);
        thread::Builder::new()
            .name(API_THREAD_NAME.to_owned())
            .spawn(move || serve_loop(&server, &*handler, &stop))
            .map_err(ApiServerError::Spawn)?
    };
    Ok(ApiServer {
        path: owned(),
        server,
        stop,
        thread: Some(thread),
    })
}

/// The API thread: answer requests until [`ApiServer`] is dropped.
fn serve_loop(server: &tiny_http::Server, handler: &dyn ApiHandler, stop: &AtomicBool) {
    loop {
        let request = match server.recv() {
            Ok(request) => request,
            Err(e) => {
                if !stop.load(Ordering::SeqCst) {
                    // tiny_http's accept loop failed and ended.
                    eprintln!("vireo: the API server stopped: {e}");
                }
                return;
            }
        };
        if stop.load(Ordering::SeqCst) {
            let error = ApiError {
                status: 503,
                message: "vireo is shutting down its API server".into(),
            };
            let _ = request.respond(render(Err(error), None));
            return;
        }
        // serve_one already isolates the handler; this keeps the thread
        // alive should anything else panic (the request, if not answered
        // yet, gets tiny_http's 500 as it is dropped).
        let _ = panic::catch_unwind(AssertUnwindSafe(|| serve_one(handler, request)));
    }
}

/// Answer one request.
fn serve_one(handler: &dyn ApiHandler, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_owned();
    let url = request.url().to_owned();

    if let Some(declared) = request.body_length().filter(|&n| n > MAX_BODY) {
        let response = render(Err(too_large(declared)), None);
        if declared <= MAX_DRAIN {
            // Dropping the request reads and discards the rest of the
            // body; do that off the API thread so that a client which
            // stops sending cannot stall the API.
            let spawned = thread::Builder::new()
                .name("vireo-api-drain".into())
                .spawn(move || {
                    let _ = request.respond(response);
                });
            if let Err(e) = spawned {
                eprintln!("vireo: API: cannot start a thread to refuse an oversized request: {e}");
            }
        } else {
            // tiny_http would allocate a buffer of `declared` bytes to
            // drain this body, which may abort the process; leave the
            // connection unanswered instead (one parked connection per
            // such request, for as long as the client keeps it open).
            eprintln!(
                "vireo: API: dropped {method} {url} declaring a {declared}-byte body \
                 (at most {MAX_BODY} bytes are accepted)"
            );
            std::mem::forget(request);
        }
        return;
    }

    let (request, body) = if body_is_buffered(&request) {
        let body = read_body(&mut request);
        (request, body)
    } else {
        match read_body_in_background(request) {
            Some(read) => read,
            None => return,
        }
    };

    let result = body
        .and_then(|body| route(&method, &url, &body))
        .and_then(|req| call_handler(handler, req));
    let allow = match &result {
        Err(e) if e.status == 405 => allowed_methods(strip_query(&url)),
        _ => None,
    };
    let _ = request.respond(render(result, allow.as_deref()));
}

/// Whether `tiny_http` already holds the whole body in memory (it reads
/// bodies of up to 1 KiB with a `Content-Length` before handing the
/// request over), so that reading it cannot block.
fn body_is_buffered(request: &tiny_http::Request) -> bool {
    let expects_continue = request.headers().iter().any(|h| h.field.equiv("Expect"));
    let chunked = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Transfer-Encoding"));
    !expects_continue && !chunked && request.body_length().unwrap_or(0) <= 1024
}

/// Read the body, at most [`MAX_BODY`] bytes (`413` beyond).
fn read_body(request: &mut tiny_http::Request) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
    if body.len() > MAX_BODY {
        return Err(too_large(body.len()));
    }
    Ok(body)
}

/// Read the body on a helper thread, waiting at most [`BODY_TIMEOUT`] for
/// it. `None`: the client was too slow; the helper answers `408` once the
/// client finishes or goes away, and the API thread goes on.
fn read_body_in_background(
    mut request: tiny_http::Request,
) -> Option<(tiny_http::Request, Result<Vec<u8>, ApiError>)> {
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("vireo-api-body".into())
        .spawn(move || {
            let body = read_body(&mut request);
            if let Err(mpsc::TrySendError::Disconnected((request, _)))
            | Err(mpsc::TrySendError::Full((request, _))) = tx.try_send((request, body))
            {
                let error = ApiError {
                    status: 408,
                    message: format!(
                        "the request body did not arrive within {} s",
                        BODY_TIMEOUT.as_secs()
                    ),
                };
                let _ = request.respond(render(Err(error), None));
            }
        });
    match spawned {
        Ok(_) => rx.recv_timeout(BODY_TIMEOUT).ok(),
        Err(e) => {
            eprintln!("vireo: API: cannot start a thread to read a request body: {e}");
            None
        }
    }
}

/// Run the handler; a panic becomes a `500`.
fn call_handler(handler: &dyn ApiHandler, req: ApiRequest) -> Result<ApiResponse, ApiError> {
    match panic::catch_unwind(AssertUnwindSafe(|| handler.handle(req))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".into());
            Err(ApiError::internal(format!(
                "internal error: the request handler panicked: {what}"
            )))
        }
    }
}

/// A `Content-Type: application/json` header.
fn json_header() -> tiny_http::Header {
    tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .expect("a valid header")
}

/// Turn a result into an HTTP response.
fn render(
    result: Result<ApiResponse, ApiError>,
    allow: Option<&str>,
) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let server = tiny_http::Header::from_bytes(
        &b"Server"[..],
        format!("vireo/{}", env!("CARGO_PKG_VERSION")).as_bytes(),
    )
    .expect("a valid header");
    let (status, body) = match result {
        Ok(ApiResponse::NoContent) => (204, Vec::new()),
        Ok(ApiResponse::Json(value)) => match serde_json::to_vec(&value) {
            Ok(body) => (200, body),
            Err(e) => fault_body(&ApiError::internal(format!(
                "cannot serialize the response: {e}"
            ))),
        },
        Err(error) => fault_body(&error),
    };
    let mut response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(server)
        // Always send Content-Length (tiny_http would chunk large bodies).
        .with_chunked_threshold(usize::MAX);
    if status != 204 {
        response.add_header(json_header());
    }
    if let Some(allow) = allow {
        response.add_header(
            tiny_http::Header::from_bytes(&b"Allow"[..], allow.as_bytes()).expect("a valid header"),
        );
    }
    response
}

/// The status and `Fault` body of an error.
fn fault_body(error: &ApiError) -> (u16, Vec<u8>) {
    let status = if (400..=599).contains(&error.status) {
        error.status
    } else {
        500
    };
    let fault = Fault {
        fault_message: error.message.clone(),
    };
    let body = serde_json::to_vec(&fault).unwrap_or_else(|_| b"{}".to_vec());
    (status, body)
}

/// The `413` error.
fn too_large(len: usize) -> ApiError {
    ApiError {
        status: 413,
        message: format!("the request body is too large: {len} bytes (at most {MAX_BODY})"),
    }
}

/// The resources of the API, as the path templates of
/// `docs/api/openapi.yaml`, with the methods each accepts.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/", &["GET"]),
    ("/machine-config", &["GET", "PUT"]),
    ("/vm/config", &["GET"]),
    ("/boot-source", &["PUT"]),
    ("/drives/{drive_id}", &["PUT"]),
    ("/network-interfaces/{iface_id}", &["PUT"]),
    ("/actions", &["PUT"]),
    ("/vm", &["PATCH"]),
    ("/snapshot/create", &["PUT"]),
    ("/snapshot/load", &["PUT"]),
    ("/metrics", &["GET"]),
];

/// A resource named by a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource<'a> {
    Root,
    MachineConfig,
    VmConfig,
    BootSource,
    Drive(&'a str),
    NetworkInterface(&'a str),
    Actions,
    Vm,
    SnapshotCreate,
    SnapshotLoad,
    Metrics,
}

impl Resource<'_> {
    /// Its path template (a key of [`ROUTES`]).
    fn template(self) -> &'static str {
        match self {
            Resource::Root => "/",
            Resource::MachineConfig => "/machine-config",
            Resource::VmConfig => "/vm/config",
            Resource::BootSource => "/boot-source",
            Resource::Drive(_) => "/drives/{drive_id}",
            Resource::NetworkInterface(_) => "/network-interfaces/{iface_id}",
            Resource::Actions => "/actions",
            Resource::Vm => "/vm",
            Resource::SnapshotCreate => "/snapshot/create",
            Resource::SnapshotLoad => "/snapshot/load",
            Resource::Metrics => "/metrics",
        }
    }

    /// The methods it accepts.
    fn methods(self) -> &'static [&'static str] {
        let template = self.template();
        ROUTES
            .iter()
            .find(|(t, _)| *t == template)
            .map_or(&[], |(_, methods)| methods)
    }
}

/// The resource a path (without query) names.
fn resource(path: &str) -> Option<Resource<'_>> {
    Some(match path {
        "/" => Resource::Root,
        "/machine-config" => Resource::MachineConfig,
        "/vm/config" => Resource::VmConfig,
        "/boot-source" => Resource::BootSource,
        "/actions" => Resource::Actions,
        "/vm" => Resource::Vm,
        "/snapshot/create" => Resource::SnapshotCreate,
        "/snapshot/load" => Resource::SnapshotLoad,
        "/metrics" => Resource::Metrics,
        _ => {
            if let Some(id) = path.strip_prefix("/drives/") {
                Resource::Drive(id)
            } else if let Some(id) = path.strip_prefix("/network-interfaces/") {
                Resource::NetworkInterface(id)
            } else {
                return None;
            }
        }
    })
}

/// The path of a request target: without its query string.
fn strip_query(url: &str) -> &str {
    url.split_once('?').map_or(url, |(path, _)| path)
}

/// The value of an `Allow` header for `path` (without query), if it names
/// a resource: its methods, comma-separated.
pub fn allowed_methods(path: &str) -> Option<String> {
    resource(path).map(|res| res.methods().join(", "))
}

/// Check an identifier from a path: 1 to [`MAX_ID_LEN`] characters from
/// `A-Z a-z 0-9 _ -`.
fn check_id(kind: &str, id: &str, path: &str) -> Result<(), ApiError> {
    if id.is_empty() {
        return Err(ApiError::bad_request(format!(
            "missing {kind} in the path {path}"
        )));
    }
    let valid = id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        return Err(ApiError::bad_request(format!(
            "invalid {kind} {id:?} in the path {path}: use 1 to {MAX_ID_LEN} characters \
             from A-Z, a-z, 0-9, _ and -"
        )));
    }
    Ok(())
}

/// Check that the id in the body equals the one in the path.
fn check_same_id(kind: &str, in_path: &str, in_body: &str) -> Result<(), ApiError> {
    if in_path != in_body {
        return Err(ApiError::bad_request(format!(
            "{kind} {in_body:?} in the body does not match {in_path:?} in the path"
        )));
    }
    Ok(())
}

/// Parse a JSON body of type `T`.
fn parse_body<T: DeserializeOwned>(method: &str, path: &str, body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "missing body for {method} {path}: a JSON object is required"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid body for {method} {path}: {e}")))
}

/// Parse an HTTP request into an [`ApiRequest`], checking its shape (not
/// the VM's state): unknown path → `404`, known path with another method
/// → `405`, body over [`MAX_BODY`] → `413`, missing or invalid JSON body
/// (unknown fields included) → `400`, an id in the path that is malformed
/// or differs from the body's → `400`. A query string is ignored; bodies
/// of `GET` requests are ignored.
pub fn route(method: &str, url: &str, body: &[u8]) -> Result<ApiRequest, ApiError> {
    if body.len() > MAX_BODY {
        return Err(too_large(body.len()));
    }
    let path = strip_query(url);
    let res = resource(path).ok_or_else(|| ApiError {
        status: 404,
        message: format!("no such resource: {path} (see docs/api/openapi.yaml)"),
    })?;
    if !res.methods().contains(&method) {
        return Err(ApiError {
            status: 405,
            message: format!(
                "method {method} is not allowed on {path} (allowed: {})",
                res.methods().join(", ")
            ),
        });
    }
    Ok(match (res, method) {
        (Resource::Root, _) => ApiRequest::GetInstanceInfo,
        (Resource::MachineConfig, "GET") => ApiRequest::GetMachineConfig,
        (Resource::MachineConfig, _) => {
            ApiRequest::PutMachineConfig(parse_body::<MachineConfig>(method, path, body)?)
        }
        (Resource::VmConfig, _) => ApiRequest::GetVmConfig,
        (Resource::BootSource, _) => {
            ApiRequest::PutBootSource(parse_body::<BootSource>(method, path, body)?)
        }
        (Resource::Drive(id), _) => {
            check_id("drive_id", id, path)?;
            let drive: Drive = parse_body(method, path, body)?;
            check_same_id("drive_id", id, &drive.drive_id)?;
            ApiRequest::PutDrive(drive)
        }
        (Resource::NetworkInterface(id), _) => {
            check_id("iface_id", id, path)?;
            let iface: NetworkInterface = parse_body(method, path, body)?;
            check_same_id("iface_id", id, &iface.iface_id)?;
            ApiRequest::PutNetworkInterface(iface)
        }
        (Resource::Actions, _) => ApiRequest::PutAction(parse_body::<Action>(method, path, body)?),
        (Resource::Vm, _) => ApiRequest::PatchVm(parse_body::<VmStatePatch>(method, path, body)?),
        (Resource::SnapshotCreate, _) => {
            ApiRequest::CreateSnapshot(parse_body::<SnapshotCreate>(method, path, body)?)
        }
        (Resource::SnapshotLoad, _) => {
            ApiRequest::LoadSnapshot(parse_body::<SnapshotLoad>(method, path, body)?)
        }
        (Resource::Metrics, _) => ApiRequest::GetMetrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ActionType, SnapshotType, VmRunState};

    fn status(r: Result<ApiRequest, ApiError>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(e) => e.status,
        }
    }

    #[test]
    fn routes_gets() {
        assert_eq!(route("GET", "/", b""), Ok(ApiRequest::GetInstanceInfo));
        assert_eq!(
            route("GET", "/machine-config", b""),
            Ok(ApiRequest::GetMachineConfig)
        );
        assert_eq!(route("GET", "/vm/config", b""), Ok(ApiRequest::GetVmConfig));
        assert_eq!(route("GET", "/metrics", b""), Ok(ApiRequest::GetMetrics));
        // A body on GET and a query string are ignored.
        assert_eq!(
            route("GET", "/metrics?pretty=1", b"junk"),
            Ok(ApiRequest::GetMetrics)
        );
    }

    #[test]
    fn routes_puts() {
        assert_eq!(
            route(
                "PUT",
                "/machine-config",
                br#"{"vcpu_count": 2, "mem_size_mib": 256}"#
            ),
            Ok(ApiRequest::PutMachineConfig(MachineConfig {
                vcpu_count: 2,
                mem_size_mib: 256,
                smt: false,
                track_dirty_pages: false,
            }))
        );
        assert_eq!(
            route("PUT", "/actions", br#"{"action_type": "InstanceStart"}"#),
            Ok(ApiRequest::PutAction(Action {
                action_type: ActionType::InstanceStart
            }))
        );
        assert_eq!(
            route("PATCH", "/vm?x", br#"{"state": "Paused"}"#),
            Ok(ApiRequest::PatchVm(VmStatePatch {
                state: VmRunState::Paused,
                wall_clock_catch_up: false
            }))
        );
        assert_eq!(
            route(
                "PUT",
                "/snapshot/create",
                br#"{"snapshot_path": "/s", "mem_file_path": "/m", "snapshot_type": "Diff"}"#
            ),
            Ok(ApiRequest::CreateSnapshot(SnapshotCreate {
                snapshot_path: "/s".into(),
                mem_file_path: "/m".into(),
                snapshot_type: SnapshotType::Diff,
            }))
        );
        let load = route(
            "PUT",
            "/snapshot/load",
            br#"{"snapshot_path": "/s", "mem_backend": {"backend_path": "/m", "backend_type": "File"}}"#,
        );
        assert!(matches!(load, Ok(ApiRequest::LoadSnapshot(_))), "{load:?}");
        assert!(matches!(
            route("PUT", "/boot-source", br#"{"kernel_image_path": "/k"}"#),
            Ok(ApiRequest::PutBootSource(_))
        ));
    }

    #[test]
    fn routes_ids() {
        let ok = route(
            "PUT",
            "/drives/root_fs-1",
            br#"{"drive_id": "root_fs-1", "path_on_host": "/img"}"#,
        );
        assert!(matches!(ok, Ok(ApiRequest::PutDrive(ref d)) if d.drive_id == "root_fs-1"));
        let ok = route(
            "PUT",
            "/network-interfaces/eth0",
            br#"{"iface_id": "eth0", "hostfwd": ["tcp::2222-:22"]}"#,
        );
        assert!(matches!(ok, Ok(ApiRequest::PutNetworkInterface(ref n)) if n.hostfwd.len() == 1));

        let mismatch = route(
            "PUT",
            "/drives/a",
            br#"{"drive_id": "b", "path_on_host": "/img"}"#,
        )
        .unwrap_err();
        assert_eq!(mismatch.status, 400);
        assert!(mismatch.message.contains("does not match"), "{mismatch}");

        for bad in [
            "/drives/",
            "/drives/a/b",
            "/drives/a.b",
            "/drives/%41",
            "/network-interfaces/",
            "/network-interfaces/eth 0",
        ] {
            assert_eq!(status(route("PUT", bad, b"{}")), 400, "{bad}");
        }
        let long = format!("/drives/{}", "a".repeat(MAX_ID_LEN + 1));
        assert_eq!(status(route("PUT", &long, b"{}")), 400);
        let longest = "a".repeat(MAX_ID_LEN);
        let body = format!(r#"{{"drive_id": "{longest}", "path_on_host": "/x"}}"#);
        assert_eq!(
            status(route("PUT", &format!("/drives/{longest}"), body.as_bytes())),
            200
        );
    }

    #[test]
    fn errors() {
        assert_eq!(status(route("GET", "/nope", b"")), 404);
        assert_eq!(status(route("GET", "/machine-config/", b"")), 404);
        assert_eq!(status(route("GET", "/drives", b"")), 404);
        assert_eq!(status(route("POST", "/machine-config", b"{}")), 405);
        assert_eq!(status(route("get", "/", b"")), 405);
        assert_eq!(status(route("GET", "/drives/x", b"")), 405);
        assert_eq!(status(route("PUT", "/metrics", b"")), 405);
        let e = route("PUT", "/machine-config", b"{}").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message
                .starts_with("invalid body for PUT /machine-config: missing field `vcpu_count`"),
            "{e}"
        );
        let e = route("PUT", "/machine-config", b"").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("missing body"), "{e}");
        let e = route(
            "PUT",
            "/machine-config",
            br#"{"vcpu_count": 1, "mem_size_mib": 2, "cpu_template": "T2"}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown field `cpu_template`"), "{e}");
        let e = route("PUT", "/actions", br#"{"action_type": "Explode"}"#).unwrap_err();
        assert!(e.message.contains("unknown variant `Explode`"), "{e}");
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(status(route("PUT", "/actions", &big)), 413);
        assert_eq!(status(route("GET", "/nope", &big)), 413);
        assert_eq!(status(route("PUT", "/actions", b"\xff\xfe")), 400);
    }

    #[test]
    fn allow_header_values_match_routes() {
        for (template, methods) in ROUTES {
            let concrete = template
                .replace("{drive_id}", "d")
                .replace("{iface_id}", "n");
            assert_eq!(
                allowed_methods(&concrete),
                Some(methods.join(", ")),
                "{template}"
            );
        }
        assert_eq!(allowed_methods("/nope"), None);
    }

    #[test]
    fn renders_faults() {
        let r = render(Err(ApiError::bad_request("no")), None);
        assert_eq!(r.status_code().0, 400);
        let r = render(
            Err(ApiError {
                status: 200,
                message: "bogus".into(),
            }),
            None,
        );
        assert_eq!(r.status_code().0, 500);
        let r = render(Ok(ApiResponse::NoContent), None);
        assert_eq!(r.status_code().0, 204);
        assert_eq!(r.data_length(), Some(0));
    }
}
