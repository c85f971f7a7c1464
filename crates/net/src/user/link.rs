//! The virtual wire between the guest and the smoltcp interface.
//!
//! smoltcp reads the frames the guest sent (after [`super::UserNet`] has
//! filtered them) from `to_stack`, and writes its own frames to
//! `to_guest`, the queue the virtio-net device drains. Both queues are
//! bounded: when `to_guest` is full smoltcp gets no transmit token and
//! keeps its data in its socket buffers until the guest has taken frames,
//! which is how a slow guest pushes back on the network.

use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use std::collections::VecDeque;

/// Frames that may wait in each direction.
pub(super) const MAX_QUEUED_FRAMES: usize = 256;

/// Largest frame smoltcp emits: 1500 bytes of IP plus the Ethernet header.
pub(super) const LINK_MTU: usize = 1514;

/// The two frame queues.
#[derive(Default)]
pub(super) struct Link {
    /// Guest frames for smoltcp.
    pub(super) to_stack: VecDeque<Vec<u8>>,
    /// Frames for the guest.
    pub(super) to_guest: VecDeque<Vec<u8>>,
}

impl Link {
    /// Room for `n` more frames to the guest.
    pub(super) fn guest_has_room(&self, n: usize) -> bool {
        self.to_guest.len() + n <= MAX_QUEUED_FRAMES
    }

    /// Queue a frame for the guest; dropped when the queue is full.
    pub(super) fn push_to_guest(&mut self, frame: Vec<u8>) {
        if self.guest_has_room(1) {
            self.to_guest.push_back(frame);
        }
    }

    /// Queue a guest frame for smoltcp; false (and dropped) when full.
    pub(super) fn push_to_stack(&mut self, frame: &[u8]) -> bool {
        if self.to_stack.len() >= MAX_QUEUED_FRAMES {
            return false;
        }
        self.to_stack.push_back(frame.to_vec());
        true
    }
}

pub(super) struct RxToken(Vec<u8>);

impl phy::RxToken for RxToken {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

pub(super) struct TxToken<'a>(&'a mut VecDeque<Vec<u8>>);

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let r = f(&mut frame);
        // A reply to a received frame may come when the queue is full
        // (smoltcp asks for the token pair before it knows); allow a
        // bounded overshoot rather than lose control frames such as ACKs.
        if self.0.len() < 2 * MAX_QUEUED_FRAMES {
            self.0.push_back(frame);
        }
        r
    }
}

impl Device for Link {
    type RxToken<'a> = RxToken;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _now: Instant) -> Option<(RxToken, TxToken<'_>)> {
        let frame = self.to_stack.pop_front()?;
        Some((RxToken(frame), TxToken(&mut self.to_guest)))
    }

    fn transmit(&mut self, _now: Instant) -> Option<TxToken<'_>> {
        if self.to_guest.len() < MAX_QUEUED_FRAMES {
            Some(TxToken(&mut self.to_guest))
        } else {
            None
        }
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = LINK_MTU;
        caps
    }
}
