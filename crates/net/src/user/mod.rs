//! User-mode networking: the guest's network is a private 10.0.2.0/24
//! served by vireo itself, like QEMU's `-net user` (slirp).
//!
//! | address | what answers |
//! | --- | --- |
//! | 10.0.2.15 | the guest (handed out by DHCP) |
//! | 10.0.2.2 | the gateway: DHCP server, router; TCP/UDP to 10.0.2.2:P reach the host's 127.0.0.1:P |
//! | 10.0.2.3 | DNS: UDP and TCP to port 53 reach the host's resolver (first `nameserver` of /etc/resolv.conf) |
//! | anything else | NAT: the guest's TCP and UDP go out through host sockets |
//!
//! With `restrict=on` nothing from the guest leaves vireo (DHCP, ARP and
//! ping of the gateway still answer; port forwards still come in).
//!
//! # Structure
//!
//! All of it is a single-threaded state machine, [`UserNet`], driven by
//! the virtio-net device's I/O thread through [`NetBackend`]:
//!
//! - Frames from the guest are classified first (this module): ARP for the
//!   gateway and DNS addresses, ICMP to them, and all TCP go to the
//!   smoltcp interface (the `link` queue); DHCP goes to the DHCP server
//!   (`dhcp`); other UDP goes to the UDP NAT (`udp`). Everything else
//!   (IPv6, fragments, bad checksums, other protocols) is dropped.
//! - smoltcp runs with *AnyIP*: it accepts packets for any destination,
//!   so one interface terminates the guest's TCP connections to every
//!   address. The TCP NAT (`tcp`) prepares a listening socket for each
//!   new connection and splices it to a host socket.
//! - Host sockets (port-forward listeners, NATed TCP streams, UDP flows)
//!   are registered with one `mio` poller; its descriptor is the
//!   backend's [`NetBackend::wait_fd`].
//!
//! # Bounds
//!
//! A hostile guest can make vireo hold at most [`tcp::MAX_TCP_CONNECTIONS`]
//! TCP connections (two [`tcp::TCP_BUFFER_SIZE`] buffers each),
//! [`udp::MAX_UDP_FLOWS`] UDP sockets, and 256 queued frames each way.
//! No guest frame can make it panic: every parse is checked, and
//! `fuzz/fuzz_targets/net_frames.rs` checks that claim.

mod dhcp;
mod frame;
mod link;
pub mod tcp;
pub mod udp;

#[cfg(test)]
mod tests;

use crate::config::UserConfig;
use crate::{NetBackend, NetError};
use link::Link;
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};
use smoltcp::iface::{Config, Interface, PollResult, SocketSet};
use smoltcp::time::Instant as SmolInstant;
use smoltcp::wire::{
    ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol, HardwareAddress, IpCidr,
    IpProtocol, Ipv4Packet, TcpPacket, UdpPacket,
};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// The guest's address.
pub const GUEST_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The gateway (and DHCP server); its ports lead to the host's loopback.
pub const GATEWAY_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
/// The DNS forwarder.
pub const DNS_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
/// The network's mask (/24).
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
/// The MAC address of the gateway and DNS forwarder (QEMU's choice, so
/// guests configured for slirp see the same neighbour).
pub const ROUTER_MAC: [u8; 6] = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];

/// Rounds of smoltcp polling and splicing per [`NetBackend::process`]
/// call (each round moves up to a socket buffer per connection).
const MAX_ROUNDS: usize = 8;
/// Longest sleep when timers run (UDP expiry, connect timeouts) or
/// the guest queue is full.
const TIMER_GRANULARITY: Duration = Duration::from_secs(1);

fn router_mac() -> EthernetAddress {
    EthernetAddress(ROUTER_MAC)
}

/// One flow as the guest sees it: its own address and the other end's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct FlowKey {
    guest: SocketAddrV4,
    remote: SocketAddrV4,
}

/// What a poller token stands for.
#[derive(Clone, Copy, Debug)]
enum Source {
    Forward(usize),
    Tcp(FlowKey),
    Udp(FlowKey),
}

/// A host port forward.
struct Forward {
    listener: TcpListener,
    guest_port: u16,
    /// Connections may be waiting to be accepted.
    ready: bool,
}

/// Where a guest packet to `remote` goes on the host, or `None` when
/// nothing may answer (the packet is dropped or the connection refused).
fn translate(remote: SocketAddrV4, dns_server: Option<SocketAddr>) -> Option<SocketAddr> {
    let ip = *remote.ip();
    if ip == GATEWAY_IP {
        return Some(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), remote.port()));
    }
    if ip == DNS_IP {
        return if remote.port() == 53 {
            dns_server
        } else {
            None
        };
    }
    let in_network =
        u32::from(ip) & u32::from(NETMASK) == u32::from(GATEWAY_IP) & u32::from(NETMASK);
    if in_network
        || ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_broadcast()
        || ip.is_multicast()
        || remote.port() == 0
    {
        return None;
    }
    Some(SocketAddr::V4(remote))
}

/// Addresses vireo itself answers for on the guest's network.
fn is_service(ip: Ipv4Addr) -> bool {
    ip == GATEWAY_IP || ip == DNS_IP
}

/// The first name server of the host's /etc/resolv.conf.
pub fn host_resolver() -> Option<SocketAddr> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    resolver_from(&text)
}

fn resolver_from(resolv_conf: &str) -> Option<SocketAddr> {
    resolv_conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            return None;
        }
        // Drop an IPv6 zone ("fe80::1%eth0"): std cannot parse it.
        let addr = words.next()?.split('%').next()?;
        addr.parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// User-mode networking (see the module documentation).
pub struct UserNet {
    poll: Poll,
    events: Events,
    iface: Interface,
    sockets: SocketSet<'static>,
    link: Link,
    start: Instant,
    dns_server: Option<SocketAddr>,
    /// `restrict=on`: nothing from the guest goes out.
    restrict: bool,
    forwards: Vec<Forward>,
    sources: HashMap<Token, Source>,
    next_token: usize,
    tcp: HashMap<FlowKey, tcp::TcpConn>,
    udp: HashMap<FlowKey, udp::UdpFlow>,
    /// Next source port for forwarded connections.
    next_port: u16,
    /// IP identification of the datagrams built by hand.
    ip_ident: u16,
    /// Receive buffer for UDP datagrams.
    scratch: Vec<u8>,
}

impl UserNet {
    /// Set up the network and listen on the port forwards.
    pub fn new(config: &UserConfig) -> Result<UserNet, NetError> {
        let poll = Poll::new()?;
        let mut forwards = Vec::new();
        let mut sources = HashMap::new();
        for (i, fwd) in config.host_forwards.iter().enumerate() {
            let mut listener =
                TcpListener::bind(fwd.host).map_err(|source| NetError::HostForward {
                    addr: fwd.host,
                    source,
                })?;
            poll.registry()
                .register(&mut listener, Token(i), Interest::READABLE)?;
            sources.insert(Token(i), Source::Forward(i));
            forwards.push(Forward {
                listener,
                guest_port: fwd.guest_port,
                ready: true,
            });
        }

        let mut link = Link::default();
        let mut iface_config = Config::new(HardwareAddress::Ethernet(router_mac()));
        iface_config.random_seed = random_seed();
        let start = Instant::now();
        let mut iface = Interface::new(iface_config, &mut link, SmolInstant::ZERO);
        iface.update_ip_addrs(|addrs| {
            // Capacity is 2 (smoltcp's default): exactly these two.
            let _ = addrs.push(IpCidr::new(GATEWAY_IP.into(), 24));
            let _ = addrs.push(IpCidr::new(DNS_IP.into(), 24));
        });
        iface.set_any_ip(true);

        Ok(UserNet {
            poll,
            events: Events::with_capacity(256),
            iface,
            sockets: SocketSet::new(Vec::new()),
            link,
            start,
            dns_server: config.dns_server.or_else(host_resolver),
            restrict: config.restrict,
            next_token: forwards.len(),
            forwards,
            sources,
            tcp: HashMap::new(),
            udp: HashMap::new(),
            next_port: tcp::EPHEMERAL_FIRST_PORT,
            ip_ident: 0,
            scratch: vec![0; 65_536],
        })
    }

    /// The local addresses of the port-forward listeners (useful when a
    /// forward asked for port 0).
    pub fn forward_addrs(&self) -> Vec<SocketAddr> {
        self.forwards
            .iter()
            .filter_map(|f| f.listener.local_addr().ok())
            .collect()
    }

    /// Number of TCP connections and UDP flows alive.
    pub fn flow_counts(&self) -> (usize, usize) {
        (self.tcp.len(), self.udp.len())
    }

    /// Where guest traffic to `remote` goes on the host (see
    /// [`translate`]); nowhere under `restrict=on`.
    fn host_target(&self, remote: SocketAddrV4) -> Option<SocketAddr> {
        if self.restrict {
            None
        } else {
            translate(remote, self.dns_server)
        }
    }

    fn new_token(&mut self) -> Token {
        let t = Token(self.next_token);
        self.next_token = self.next_token.wrapping_add(1).max(self.forwards.len());
        t
    }

    fn smol_now(&self) -> SmolInstant {
        SmolInstant::from_micros(self.start.elapsed().as_micros() as i64)
    }

    /// Classify one frame from the guest.
    fn guest_frame(&mut self, frame: &[u8]) {
        let Ok(eth) = EthernetFrame::new_checked(frame) else {
            return;
        };
        if !eth.src_addr().is_unicast() {
            return;
        }
        match eth.ethertype() {
            EthernetProtocol::Arp => {
                let Ok(arp) = ArpPacket::new_checked(eth.payload()) else {
                    return;
                };
                // smoltcp in AnyIP mode would answer for every address;
                // only the gateway and DNS addresses exist.
                if let Ok(ArpRepr::EthernetIpv4 {
                    target_protocol_addr,
                    ..
                }) = ArpRepr::parse(&arp)
                {
                    if is_service(target_protocol_addr) {
                        self.link.push_to_stack(frame);
                    }
                }
            }
            EthernetProtocol::Ipv4 => self.guest_ipv4(frame, eth.src_addr(), eth.payload()),
            _ => {}
        }
    }

    fn guest_ipv4(&mut self, frame: &[u8], src_mac: EthernetAddress, packet: &[u8]) {
        let Ok(ip) = Ipv4Packet::new_checked(packet) else {
            return;
        };
        if ip.version() != 4 || !ip.verify_checksum() || ip.more_frags() || ip.frag_offset() != 0 {
            return;
        }
        let (src, dst) = (ip.src_addr(), ip.dst_addr());
        match ip.next_header() {
            IpProtocol::Udp => {
                let Ok(udp) = UdpPacket::new_checked(ip.payload()) else {
                    return;
                };
                if !udp.verify_checksum(&src.into(), &dst.into()) {
                    return;
                }
                if udp.dst_port() == dhcp::SERVER_PORT {
                    self.guest_dhcp(src_mac, udp.payload());
                    return;
                }
                if !src.is_unspecified() && !src.is_broadcast() && !src.is_multicast() {
                    let guest = SocketAddrV4::new(src, udp.src_port());
                    let remote = SocketAddrV4::new(dst, udp.dst_port());
                    self.guest_udp(src_mac, guest, remote, udp.payload());
                }
            }
            IpProtocol::Tcp => {
                let Ok(tcp) = TcpPacket::new_checked(ip.payload()) else {
                    return;
                };
                if self.link.to_stack.len() >= link::MAX_QUEUED_FRAMES {
                    return;
                }
                if tcp.syn() && !tcp.ack() && !tcp.rst() {
                    let guest = SocketAddrV4::new(src, tcp.src_port());
                    let remote = SocketAddrV4::new(dst, tcp.dst_port());
                    if !self.guest_tcp_syn(guest, remote) {
                        return;
                    }
                }
                self.link.push_to_stack(frame);
            }
            IpProtocol::Icmp if is_service(dst) => {
                self.link.push_to_stack(frame);
            }
            _ => {}
        }
    }

    fn guest_dhcp(&mut self, src_mac: EthernetAddress, request: &[u8]) {
        let Some(reply) = dhcp::reply(request) else {
            return;
        };
        // A client without a MAC in chaddr gets the frame's source MAC.
        let dst_mac = if reply.dst_mac.is_unicast() || reply.dst_mac.is_broadcast() {
            reply.dst_mac
        } else {
            src_mac
        };
        self.ip_ident = self.ip_ident.wrapping_add(1);
        for f in frame::udp_frames(
            router_mac(),
            dst_mac,
            SocketAddrV4::new(GATEWAY_IP, dhcp::SERVER_PORT),
            reply.dst,
            self.ip_ident,
            &reply.payload,
        ) {
            self.link.push_to_guest(f);
        }
    }

    /// Take the host events that arrived since the last call.
    fn harvest_events(&mut self) {
        if self
            .poll
            .poll(&mut self.events, Some(Duration::ZERO))
            .is_err()
        {
            return;
        }
        for ev in self.events.iter() {
            match self.sources.get(&ev.token()) {
                Some(Source::Forward(i)) => {
                    if let Some(f) = self.forwards.get_mut(*i) {
                        f.ready = true;
                    }
                }
                Some(Source::Tcp(key)) => {
                    if let Some(c) = self.tcp.get_mut(key) {
                        if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                            c.readable = true;
                        }
                        if ev.is_writable() || ev.is_write_closed() || ev.is_error() {
                            c.writable = true;
                        }
                    }
                }
                Some(Source::Udp(key)) => {
                    if let Some(f) = self.udp.get_mut(key) {
                        f.readable = true;
                    }
                }
                None => {}
            }
        }
    }
}

fn random_seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

impl NetBackend for UserNet {
    fn send(&mut self, frame: &[u8]) {
        self.guest_frame(frame);
    }

    fn recv(&mut self, buf: &mut [u8]) -> Option<usize> {
        while let Some(frame) = self.link.to_guest.pop_front() {
            if let Some(dst) = buf.get_mut(..frame.len()) {
                dst.copy_from_slice(&frame);
                return Some(frame.len());
            }
        }
        None
    }

    fn process(&mut self) -> Option<Duration> {
        self.harvest_events();
        for i in 0..self.forwards.len() {
            if self.forwards[i].ready {
                self.accept_forward(i);
            }
        }
        for _ in 0..MAX_ROUNDS {
            let now = self.smol_now();
            let changed =
                self.iface.poll(now, &mut self.link, &mut self.sockets) != PollResult::None;
            let moved = self.service_tcp(Instant::now());
            if !changed && !moved {
                break;
            }
        }
        self.service_udp(Instant::now());
        // UDP answers may have been queued; nothing for smoltcp to do.

        let now = Instant::now();
        let mut timeout = if self.link.guest_has_room(1) {
            let smol_now = self.smol_now();
            self.iface
                .poll_delay(smol_now, &self.sockets)
                .map(|d| Duration::from_micros(d.total_micros()))
        } else {
            // smoltcp wants to send but the guest has not taken the
            // queued frames: it will call again when it has.
            None
        };
        let deadlines = [self.tcp_deadline(), self.udp_deadline()];
        if let Some(d) = deadlines.into_iter().flatten().min() {
            let wait = d.saturating_duration_since(now).min(TIMER_GRANULARITY);
            timeout = Some(timeout.map_or(wait, |t| t.min(wait)));
        }
        timeout
    }

    fn wait_fd(&self) -> RawFd {
        self.poll.as_raw_fd()
    }
}
