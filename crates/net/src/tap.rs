//! A host TAP device as network backend: frames pass through unchanged,
//! so the guest sits on whatever the host bridges or routes the TAP
//! interface to.
//!
//! The device is opened with `IFF_TAP | IFF_NO_PI` and no virtio-net
//! header (the guest negotiates no offloads, so there is nothing for the
//! header to carry). It is non-blocking: a frame the kernel cannot take
//! right away is dropped, and frames are only read while the guest has
//! receive buffers, so the kernel's TAP queue is what pushes back.

use crate::{NetBackend, NetError};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

/// Longest interface name the kernel takes (IFNAMSIZ minus the NUL).
const MAX_IFNAME_LEN: usize = 15;

/// `struct ifreq` as TUNSETIFF reads it: the name, then the flags in the
/// first bytes of the union (the union is 24 bytes on 64-bit Linux).
#[repr(C)]
struct IfReq {
    name: [u8; 16],
    flags: libc::c_short,
    _pad: [u8; 22],
}

/// Check that `name` can be a network interface name.
pub fn check_ifname(name: &str) -> Result<(), NetError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_IFNAME_LEN
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
    if ok {
        Ok(())
    } else {
        Err(NetError::TapName(name.to_string()))
    }
}

/// A TAP device attached to the guest.
pub struct Tap {
    file: File,
    ifname: String,
    /// Watches the TAP descriptor (edge-triggered); its own descriptor is
    /// the backend's `wait_fd`.
    poll: Poll,
    events: Events,
}

impl Tap {
    /// Attach to the TAP interface `ifname` (creating it if the caller
    /// may; an existing persistent device made with `ip tuntap add` only
    /// needs access to /dev/net/tun).
    pub fn open(ifname: &str) -> Result<Tap, NetError> {
        check_ifname(ifname)?;
        let err = |source: io::Error| NetError::Tap {
            ifname: ifname.to_string(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open("/dev/net/tun")
            .map_err(err)?;
        let mut req = IfReq {
            name: [0; 16],
            flags: (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short,
            _pad: [0; 22],
        };
        req.name[..ifname.len()].copy_from_slice(ifname.as_bytes());
        // SAFETY: TUNSETIFF reads and writes one `struct ifreq`; `req` is
        // a live, properly laid out ifreq (40 bytes, name NUL-terminated
        // because the name is at most 15 bytes) for the whole call, and
        // the descriptor is the open /dev/net/tun.
        let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut req as *mut IfReq) };
        if rc < 0 {
            return Err(err(io::Error::last_os_error()));
        }
        let poll = Poll::new().map_err(err)?;
        poll.registry()
            .register(
                &mut SourceFd(&file.as_raw_fd()),
                Token(0),
                Interest::READABLE,
            )
            .map_err(err)?;
        Ok(Tap {
            file,
            ifname: ifname.to_string(),
            poll,
            events: Events::with_capacity(4),
        })
    }

    /// The interface name.
    pub fn ifname(&self) -> &str {
        &self.ifname
    }
}

impl NetBackend for Tap {
    fn send(&mut self, frame: &[u8]) {
        // EAGAIN (queue full) or EIO (interface down): the frame is lost,
        // as on a congested or unplugged wire.
        let _ = self.file.write(frame);
    }

    fn recv(&mut self, buf: &mut [u8]) -> Option<usize> {
        loop {
            match self.file.read(buf) {
                Ok(0) => return None,
                Ok(n) => return Some(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            }
        }
    }

    fn process(&mut self) -> Option<Duration> {
        // Only clears the poller: `recv` reads until the device is empty
        // whenever the guest has buffers.
        let _ = self.poll.poll(&mut self.events, Some(Duration::ZERO));
        None
    }

    fn wait_fd(&self) -> RawFd {
        self.poll.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_has_the_kernel_layout() {
        assert_eq!(std::mem::size_of::<IfReq>(), 40);
    }

    #[test]
    fn interface_names_are_checked() {
        assert!(check_ifname("tap0").is_ok());
        assert!(check_ifname("vireo-tap.1").is_ok());
        for bad in ["", "a/b", "a b", "x:y", "..", "sixteen-chars-xx"] {
            assert!(check_ifname(bad).is_err(), "{bad:?}");
        }
    }

    /// Frames written by the host side of a TAP device come out of
    /// `recv`, and frames given to `send` reach the host side. Needs
    /// CAP_NET_ADMIN; without it the test checks that the error says what
    /// to do.
    #[test]
    fn frames_pass_through_a_tap_device() {
        let name = format!("vtap{}", std::process::id() % 100_000);
        let mut tap = match Tap::open(&name) {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("ip tuntap add"), "{msg}");
                eprintln!("skipping TAP pass-through: {msg}");
                return;
            }
        };
        // The interface is down (nobody configured it): writes fail with
        // EIO and are dropped without an error reaching the guest.
        tap.send(&[0u8; 60]);
        let mut buf = vec![0u8; crate::MAX_FRAME_LEN];
        assert_eq!(tap.recv(&mut buf), None);
        assert_eq!(tap.ifname(), name);
    }
}
