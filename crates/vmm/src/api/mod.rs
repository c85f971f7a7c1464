//! The control API: REST over a Unix socket, described by
//! `docs/api/openapi.yaml`.
//!
//! The HTTP layer ([`server`]) only parses requests into [`ApiRequest`]s
//! and renders [`ApiResponse`]s; what a request does is decided by an
//! [`ApiHandler`] (the VMM). That keeps the VM's lifecycle rules in one
//! place and lets the HTTP layer be tested and fuzzed on its own.

pub mod client;
#[doc(hidden)]
pub mod openapi_check;
pub mod server;
pub mod types;

pub use types::*;

/// A request, parsed and validated for shape (not for the VM's state).
#[derive(Clone, Debug, PartialEq)]
pub enum ApiRequest {
    /// `GET /`
    GetInstanceInfo,
    /// `GET /machine-config`
    GetMachineConfig,
    /// `PUT /machine-config`
    PutMachineConfig(MachineConfig),
    /// `GET /vm/config`
    GetVmConfig,
    /// `PUT /boot-source`
    PutBootSource(BootSource),
    /// `PUT /drives/{drive_id}` (the server checked the id matches).
    PutDrive(Drive),
    /// `PUT /network-interfaces/{iface_id}` (id checked).
    PutNetworkInterface(NetworkInterface),
    /// `PUT /actions`
    PutAction(Action),
    /// `PATCH /vm`
    PatchVm(VmStatePatch),
    /// `PUT /snapshot/create`
    CreateSnapshot(SnapshotCreate),
    /// `PUT /snapshot/load`
    LoadSnapshot(SnapshotLoad),
    /// `GET /metrics`
    GetMetrics,
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiResponse {
    /// 204 No Content.
    NoContent,
    /// 200 with a JSON body.
    Json(serde_json::Value),
}

/// A refused or failed request: the HTTP status and the message for
/// `{"fault_message": ...}`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    /// 400 for requests invalid in themselves or for the VM's current
    /// state, 404 for unknown resources, 500 for host failures.
    pub status: u16,
    /// What went wrong and what to do about it.
    pub message: String,
}

impl ApiError {
    /// A 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
        }
    }

    /// A 500 Internal Server Error (the host failed, not the request).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 500,
            message: message.into(),
        }
    }
}

/// What serves parsed requests (the VMM). Called from the API thread.
pub trait ApiHandler: Send + Sync {
    /// Carry out `req`.
    fn handle(&self, req: ApiRequest) -> Result<ApiResponse, ApiError>;
}
