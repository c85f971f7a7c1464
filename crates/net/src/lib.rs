//! Networking for vireo guests.
//!
//! - [`NetBackend`]: where the frames of a guest network card go. A
//!   backend is a non-blocking state machine driven by one thread (the
//!   device's I/O thread): it takes frames from the guest
//!   ([`NetBackend::send`]), hands frames to the guest
//!   ([`NetBackend::recv`]), and does its host-side work in
//!   [`NetBackend::process`] whenever its [`NetBackend::wait_fd`] becomes
//!   readable or the timeout it asked for passes.
//! - [`user::UserNet`]: user-mode networking (as QEMU's `-net user`):
//!   the guest sees a 10.0.2.0/24 network with a DHCP server, a gateway
//!   that reaches the host's loopback, a DNS forwarder, and NAT of its TCP
//!   and UDP traffic onto host sockets; port forwards bring host
//!   connections into the guest. Built on `smoltcp`. See `user/mod.rs`.
//! - [`tap::Tap`]: a host TAP device; frames pass through unchanged.
//! - [`device::VirtioNet`]: the virtio-net device model (device type 1)
//!   that moves frames between the guest's virtqueues and a backend.
//! - [`config`]: the `--net` option (`user,hostfwd=...`, `tap=IFNAME`).

pub mod config;
pub mod device;
#[doc(hidden)]
pub mod fuzzing;
pub mod tap;
pub mod user;

pub use config::{BackendConfig, ConfigError, HostForward, NetConfig, UserConfig};
pub use device::VirtioNet;

use std::fmt;
use std::os::fd::RawFd;
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

/// The largest Ethernet frame (without FCS) a backend moves. The guest
/// negotiates no segmentation offloads, so frames are at most MTU + 14
/// bytes; this leaves room for jumbo MTUs on TAP devices.
pub const MAX_FRAME_LEN: usize = 65_536;

/// Where the frames of a guest network card go.
///
/// A backend never blocks and never panics on what the guest sends: a
/// frame it cannot use is dropped, as on a real wire.
pub trait NetBackend: Send {
    /// Hand one Ethernet frame from the guest to the network.
    fn send(&mut self, frame: &[u8]);

    /// Move the next frame for the guest into `buf` and return its length,
    /// or `None` when no frame is waiting. `buf` must hold
    /// [`MAX_FRAME_LEN`] bytes.
    fn recv(&mut self, buf: &mut [u8]) -> Option<usize>;

    /// Do the backend's host-side work (socket I/O, timers, protocol
    /// state). Call it whenever [`NetBackend::wait_fd`] is readable, after
    /// the returned timeout has passed, and after frames were exchanged
    /// with the guest. Returns the longest time until it must be called
    /// again (`None`: only on events).
    fn process(&mut self) -> Option<Duration>;

    /// A descriptor that becomes readable when [`NetBackend::process`] has
    /// work. It stays valid as long as the backend lives.
    fn wait_fd(&self) -> RawFd;
}

/// Errors setting up a network backend.
#[derive(Debug, Error)]
pub enum NetError {
    /// The TAP device could not be opened or configured.
    #[error("cannot attach to TAP device {ifname}: {source}; create it first (`ip tuntap add dev {ifname} mode tap user $USER`) and check that vireo may open /dev/net/tun")]
    Tap {
        /// The interface name.
        ifname: String,
        /// What the host said.
        source: std::io::Error,
    },
    /// A TAP interface name the kernel cannot take.
    #[error("invalid TAP interface name {0:?}: use 1 to 15 characters without '/', ':' or spaces")]
    TapName(String),
    /// A host port forward could not listen.
    #[error("cannot listen on {addr} for hostfwd: {source}; pick another host port")]
    HostForward {
        /// The host address.
        addr: std::net::SocketAddr,
        /// What the host said.
        source: std::io::Error,
    },
    /// The host refused an event queue or another basic resource.
    #[error("cannot set up user-mode networking: {0}")]
    Io(#[from] std::io::Error),
}

/// An Ethernet MAC address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The default address of the `index`-th network card: QEMU's
    /// 52:54:00:12:34:56 with `index` added to the last byte, so MACs are
    /// stable across runs and match what QEMU gives the same guest.
    pub fn default_for(index: usize) -> MacAddr {
        MacAddr([
            0x52,
            0x54,
            0x00,
            0x12,
            0x34,
            0x56u8.wrapping_add(index as u8),
        ])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl FromStr for MacAddr {
    type Err = String;

    fn from_str(s: &str) -> Result<MacAddr, String> {
        let bad =
            || format!("invalid MAC address {s:?}: expected six hex bytes like 52:54:00:12:34:56");
        let mut out = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for b in out.iter_mut() {
            let p = parts.next().ok_or_else(bad)?;
            if p.len() != 2 {
                return Err(bad());
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        if out[0] & 1 != 0 {
            return Err(format!(
                "invalid MAC address {s:?}: the first byte is odd, which makes it a multicast address"
            ));
        }
        Ok(MacAddr(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_addresses_parse_and_print() {
        let m: MacAddr = "52:54:00:ab:CD:ef".parse().unwrap();
        assert_eq!(m.0, [0x52, 0x54, 0, 0xab, 0xcd, 0xef]);
        assert_eq!(m.to_string(), "52:54:00:ab:cd:ef");
        assert!("52:54:00:ab:cd".parse::<MacAddr>().is_err());
        assert!("52:54:00:ab:cd:ef:00".parse::<MacAddr>().is_err());
        assert!("01:54:00:ab:cd:ef".parse::<MacAddr>().is_err());
        assert!("52:54:00:ab:cd:g1".parse::<MacAddr>().is_err());
        assert_eq!(MacAddr::default_for(1).to_string(), "52:54:00:12:34:57");
    }
}
