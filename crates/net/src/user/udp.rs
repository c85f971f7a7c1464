//! UDP: NAT of guest datagrams onto host sockets (including DNS to
//! 10.0.2.3, which goes to the host's resolver).
//!
//! A flow is one (guest address, remote address) pair. Its host socket is
//! connected to the translated remote, so only the remote's answers come
//! back, and they reach the guest from the address it sent to. Flows
//! expire after [`UDP_IDLE_TIMEOUT`]; at most [`MAX_UDP_FLOWS`] exist (the
//! least recently used one makes room for a new one).

use super::frame::{udp_frame_count, udp_frames};
use super::{FlowKey, Source, UserNet};
use mio::net::UdpSocket;
use mio::{Interest, Token};
use smoltcp::wire::EthernetAddress;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

/// Most UDP flows at once.
pub const MAX_UDP_FLOWS: usize = 128;
/// A flow with no traffic for this long is closed.
pub const UDP_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Datagrams taken from one flow per pass (so one busy flow cannot starve
/// the others or the guest's own traffic).
const DATAGRAMS_PER_PASS: usize = 64;

/// One NATed UDP flow.
pub(super) struct UdpFlow {
    token: Token,
    socket: UdpSocket,
    /// Where answers go (the guest's MAC when it last sent).
    guest_mac: EthernetAddress,
    last_used: Instant,
    /// The host socket may have datagrams.
    pub(super) readable: bool,
}

impl UserNet {
    /// A datagram from the guest (not DHCP).
    pub(super) fn guest_udp(
        &mut self,
        guest_mac: EthernetAddress,
        guest: SocketAddrV4,
        remote: SocketAddrV4,
        payload: &[u8],
    ) {
        let now = Instant::now();
        let key = FlowKey { guest, remote };
        if !self.udp.contains_key(&key) && !self.open_udp(key, guest_mac, now) {
            return;
        }
        if let Some(flow) = self.udp.get_mut(&key) {
            flow.last_used = now;
            flow.guest_mac = guest_mac;
            // A full host socket buffer drops the datagram, as a full
            // router queue would.
            let _ = flow.socket.send(payload);
        }
    }

    fn open_udp(&mut self, key: FlowKey, guest_mac: EthernetAddress, now: Instant) -> bool {
        let Some(target) = self.host_target(key.remote) else {
            return false;
        };
        if self.udp.len() >= MAX_UDP_FLOWS {
            let oldest = self
                .udp
                .iter()
                .min_by_key(|(_, f)| f.last_used)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                self.drop_udp(&k);
            }
        }
        let bind: SocketAddr = match target.ip() {
            IpAddr::V4(ip) if ip.is_loopback() => (Ipv4Addr::LOCALHOST, 0).into(),
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let Ok(mut socket) = UdpSocket::bind(bind) else {
            return false;
        };
        if socket.connect(target).is_err() {
            return false;
        }
        let token = self.new_token();
        if self
            .poll
            .registry()
            .register(&mut socket, token, Interest::READABLE)
            .is_err()
        {
            return false;
        }
        self.sources.insert(token, Source::Udp(key));
        self.udp.insert(
            key,
            UdpFlow {
                token,
                socket,
                guest_mac,
                last_used: now,
                readable: false,
            },
        );
        true
    }

    /// Bring answers to the guest and expire idle flows.
    pub(super) fn service_udp(&mut self, now: Instant) {
        let mut expired = Vec::new();
        for (key, flow) in self.udp.iter_mut() {
            let mut passes = 0;
            while flow.readable && passes < DATAGRAMS_PER_PASS {
                passes += 1;
                // Leave the datagram in the host socket until the guest
                // has room for all its fragments.
                if !self
                    .link
                    .guest_has_room(udp_frame_count(self.scratch.len()))
                {
                    break;
                }
                match flow.socket.recv(&mut self.scratch) {
                    Ok(n) => {
                        flow.last_used = now;
                        self.ip_ident = self.ip_ident.wrapping_add(1);
                        for f in udp_frames(
                            super::router_mac(),
                            flow.guest_mac,
                            key.remote,
                            key.guest,
                            self.ip_ident,
                            &self.scratch[..n],
                        ) {
                            self.link.push_to_guest(f);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => flow.readable = false,
                    // ICMP errors (port unreachable) surface here: skip.
                    Err(_) => {}
                }
            }
            if now.duration_since(flow.last_used) >= UDP_IDLE_TIMEOUT {
                expired.push(*key);
            }
        }
        for key in expired {
            self.drop_udp(&key);
        }
    }

    /// When the next flow expires.
    pub(super) fn udp_deadline(&self) -> Option<Instant> {
        self.udp
            .values()
            .map(|f| f.last_used + UDP_IDLE_TIMEOUT)
            .min()
    }

    fn drop_udp(&mut self, key: &FlowKey) {
        if let Some(mut flow) = self.udp.remove(key) {
            let _ = self.poll.registry().deregister(&mut flow.socket);
            self.sources.remove(&flow.token);
        }
    }
}
