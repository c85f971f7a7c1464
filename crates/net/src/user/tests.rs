//! Tests of user-mode networking, driving [`UserNet`] with Ethernet
//! frames as a guest would send them: hand-built for DHCP, ARP and UDP,
//! and from a second smoltcp stack playing the guest for TCP.

use super::*;
use smoltcp::iface::SocketHandle;
use smoltcp::phy::{self, ChecksumCapabilities, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::wire::{
    ArpOperation, DhcpMessageType, DhcpPacket, DhcpRepr, EthernetRepr, IpAddress, Ipv4Address,
    TcpControl, TcpRepr, TcpSeqNumber,
};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener as StdTcpListener, TcpStream as StdTcpStream, UdpSocket};

const GUEST_MAC: EthernetAddress = EthernetAddress([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
/// How long a test waits for something that should take milliseconds.
const PATIENCE: Duration = Duration::from_secs(10);

fn user_net(config: UserConfig) -> UserNet {
    let mut config = config;
    // Never depend on the host's resolver in tests.
    config
        .dns_server
        .get_or_insert("127.0.0.1:9".parse().unwrap());
    UserNet::new(&config).expect("user-mode network")
}

/// All frames the backend has for the guest now (after processing).
fn frames_for_guest(net: &mut UserNet) -> Vec<Vec<u8>> {
    net.process();
    let mut buf = vec![0u8; crate::MAX_FRAME_LEN];
    let mut out = Vec::new();
    while let Some(n) = net.recv(&mut buf) {
        out.push(buf[..n].to_vec());
    }
    out
}

/// The UDP datagrams among `frames`: (source, destination, payload).
fn udp_datagrams(frames: &[Vec<u8>]) -> Vec<(SocketAddrV4, SocketAddrV4, Vec<u8>)> {
    let mut out = Vec::new();
    for f in frames {
        let eth = EthernetFrame::new_checked(&f[..]).unwrap();
        if eth.ethertype() != EthernetProtocol::Ipv4 {
            continue;
        }
        let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
        assert!(ip.verify_checksum());
        if ip.next_header() != IpProtocol::Udp {
            continue;
        }
        let udp = UdpPacket::new_checked(ip.payload()).unwrap();
        assert!(udp.verify_checksum(&ip.src_addr().into(), &ip.dst_addr().into()));
        out.push((
            SocketAddrV4::new(ip.src_addr(), udp.src_port()),
            SocketAddrV4::new(ip.dst_addr(), udp.dst_port()),
            udp.payload().to_vec(),
        ));
    }
    out
}

fn guest_udp_frame(src: SocketAddrV4, dst: SocketAddrV4, payload: &[u8]) -> Vec<u8> {
    let dst_mac = if dst.ip().is_broadcast() {
        EthernetAddress::BROADCAST
    } else {
        router_mac()
    };
    let mut frames = frame::udp_frames(GUEST_MAC, dst_mac, src, dst, 1, payload);
    assert_eq!(frames.len(), 1);
    frames.remove(0)
}

fn dhcp_message(
    message_type: DhcpMessageType,
    requested_ip: Option<Ipv4Address>,
    server_identifier: Option<Ipv4Address>,
) -> Vec<u8> {
    let repr = DhcpRepr {
        message_type,
        transaction_id: 0x1234_5678,
        secs: 0,
        client_hardware_address: GUEST_MAC,
        client_ip: Ipv4Address::UNSPECIFIED,
        your_ip: Ipv4Address::UNSPECIFIED,
        server_ip: Ipv4Address::UNSPECIFIED,
        router: None,
        subnet_mask: None,
        relay_agent_ip: Ipv4Address::UNSPECIFIED,
        broadcast: false,
        requested_ip,
        client_identifier: Some(GUEST_MAC),
        server_identifier,
        parameter_request_list: Some(&[1, 3, 6, 51]),
        dns_servers: None,
        max_size: Some(1500),
        lease_duration: None,
        renew_duration: None,
        rebind_duration: None,
        additional_options: &[],
    };
    let mut payload = vec![0u8; repr.buffer_len()];
    repr.emit(&mut DhcpPacket::new_unchecked(&mut payload[..]))
        .unwrap();
    guest_udp_frame(
        SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 68),
        SocketAddrV4::new(Ipv4Addr::BROADCAST, 67),
        &payload,
    )
}

/// Send a DHCP message and parse the one reply.
fn dhcp_exchange(net: &mut UserNet, msg: Vec<u8>) -> (SocketAddrV4, DhcpMessageType, Vec<u8>) {
    net.send(&msg);
    let replies = udp_datagrams(&frames_for_guest(net));
    assert_eq!(replies.len(), 1, "one DHCP reply");
    let (src, dst, payload) = replies.into_iter().next().unwrap();
    assert_eq!(src, SocketAddrV4::new(GATEWAY_IP, 67));
    assert_eq!(dst.port(), 68);
    let packet = DhcpPacket::new_checked(&payload[..]).unwrap();
    let repr = DhcpRepr::parse(&packet).unwrap();
    assert_eq!(repr.transaction_id, 0x1234_5678);
    assert_eq!(repr.client_hardware_address, GUEST_MAC);
    (dst, repr.message_type, payload.clone())
}

#[test]
fn dhcp_offers_and_acknowledges_the_guest_address() {
    let mut net = user_net(UserConfig::default());

    let (_, ty, offer) = dhcp_exchange(
        &mut net,
        dhcp_message(DhcpMessageType::Discover, None, None),
    );
    let (dst, ack_ty, ack) = dhcp_exchange(
        &mut net,
        dhcp_message(DhcpMessageType::Request, Some(GUEST_IP), Some(GATEWAY_IP)),
    );

    assert_eq!(ty, DhcpMessageType::Offer);
    assert_eq!(ack_ty, DhcpMessageType::Ack);
    assert_eq!(dst, SocketAddrV4::new(GUEST_IP, 68));
    for payload in [offer, ack] {
        let packet = DhcpPacket::new_checked(&payload[..]).unwrap();
        let repr = DhcpRepr::parse(&packet).unwrap();
        assert_eq!(repr.your_ip, GUEST_IP);
        assert_eq!(repr.router, Some(GATEWAY_IP));
        assert_eq!(repr.subnet_mask, Some(NETMASK));
        assert_eq!(repr.server_identifier, Some(GATEWAY_IP));
        assert_eq!(repr.lease_duration, Some(dhcp::LEASE_SECS));
        assert_eq!(
            repr.dns_servers.as_deref(),
            Some(&[DNS_IP][..]),
            "DNS option"
        );
    }
}

#[test]
fn dhcp_refuses_other_addresses_and_ignores_other_servers() {
    let mut net = user_net(UserConfig::default());

    let (dst, ty, _) = dhcp_exchange(
        &mut net,
        dhcp_message(
            DhcpMessageType::Request,
            Some(Ipv4Address::new(10, 0, 2, 99)),
            None,
        ),
    );
    net.send(&dhcp_message(
        DhcpMessageType::Request,
        Some(GUEST_IP),
        Some(Ipv4Address::new(10, 0, 2, 9)),
    ));
    let other = frames_for_guest(&mut net);

    assert_eq!(ty, DhcpMessageType::Nak);
    assert_eq!(*dst.ip(), Ipv4Addr::BROADCAST);
    assert!(other.is_empty(), "a request for another server is not ours");
}

fn arp_request(target: Ipv4Addr) -> Vec<u8> {
    let repr = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Request,
        source_hardware_addr: GUEST_MAC,
        source_protocol_addr: GUEST_IP,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: target,
    };
    let mut frame = vec![0u8; 14 + repr.buffer_len()];
    let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
    EthernetRepr {
        src_addr: GUEST_MAC,
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: EthernetProtocol::Arp,
    }
    .emit(&mut eth);
    repr.emit(&mut ArpPacket::new_unchecked(eth.payload_mut()));
    frame
}

#[test]
fn arp_answers_for_the_gateway_and_dns_only() {
    let mut net = user_net(UserConfig::default());
    let mut answers = Vec::new();

    for target in [GATEWAY_IP, DNS_IP, Ipv4Addr::new(10, 0, 2, 77), GUEST_IP] {
        net.send(&arp_request(target));
        answers.push(frames_for_guest(&mut net));
    }

    for (i, target) in [GATEWAY_IP, DNS_IP].into_iter().enumerate() {
        assert_eq!(answers[i].len(), 1, "one reply for {target}");
        let eth = EthernetFrame::new_checked(&answers[i][0][..]).unwrap();
        assert_eq!(eth.dst_addr(), GUEST_MAC);
        let arp = ArpRepr::parse(&ArpPacket::new_checked(eth.payload()).unwrap()).unwrap();
        let ArpRepr::EthernetIpv4 {
            operation,
            source_hardware_addr,
            source_protocol_addr,
            ..
        } = arp
        else {
            panic!("not an IPv4 ARP reply")
        };
        assert_eq!(operation, ArpOperation::Reply);
        assert_eq!(source_hardware_addr, router_mac());
        assert_eq!(source_protocol_addr, target);
    }
    assert!(answers[2].is_empty(), "no one else lives on the network");
    assert!(answers[3].is_empty(), "the guest's own address is not ours");
}

#[test]
fn dns_queries_reach_the_host_resolver_and_answers_come_back() {
    let resolver = UdpSocket::bind("127.0.0.1:0").unwrap();
    resolver.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut net = user_net(UserConfig {
        dns_server: Some(resolver.local_addr().unwrap()),
        ..UserConfig::default()
    });
    let guest = SocketAddrV4::new(GUEST_IP, 33_333);
    let dns = SocketAddrV4::new(DNS_IP, 53);

    net.send(&guest_udp_frame(guest, dns, b"query: example.org A"));
    net.process();
    let mut buf = [0u8; 512];
    let (n, from) = resolver.recv_from(&mut buf).expect("query forwarded");
    resolver.send_to(b"answer: 192.0.2.1", from).unwrap();
    let answers = wait_for_datagrams(&mut net, 1);

    assert_eq!(&buf[..n], b"query: example.org A");
    assert_eq!(answers, vec![(dns, guest, b"answer: 192.0.2.1".to_vec())]);
    assert_eq!(net.flow_counts(), (0, 1));
}

#[test]
fn udp_to_the_gateway_reaches_host_loopback() {
    let host = UdpSocket::bind("127.0.0.1:0").unwrap();
    host.set_read_timeout(Some(PATIENCE)).unwrap();
    let port = host.local_addr().unwrap().port();
    let mut net = user_net(UserConfig::default());
    let guest = SocketAddrV4::new(GUEST_IP, 40_000);
    let gateway = SocketAddrV4::new(GATEWAY_IP, port);
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();

    net.send(&guest_udp_frame(guest, gateway, b"ping"));
    net.process();
    let mut buf = [0u8; 4096];
    let (n, from) = host.recv_from(&mut buf).expect("datagram forwarded");
    host.send_to(&big, from).unwrap();
    let answers = wait_for_datagrams(&mut net, 1);

    assert_eq!(&buf[..n], b"ping");
    assert!(from.ip().is_loopback());
    // 3008 bytes of UDP need three fragments; check the first carries the
    // header and the reassembled payload matches.
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].0, gateway);
    assert_eq!(answers[0].1, guest);
    assert!(answers[0].2 == big, "reassembled payload");
}

/// Wait for `count` datagrams (reassembling fragments) from the backend.
fn wait_for_datagrams(
    net: &mut UserNet,
    count: usize,
) -> Vec<(SocketAddrV4, SocketAddrV4, Vec<u8>)> {
    let deadline = Instant::now() + PATIENCE;
    let mut out = Vec::new();
    let mut partial: Vec<u8> = Vec::new();
    while out.len() < count && Instant::now() < deadline {
        for f in frames_for_guest(net) {
            let eth = EthernetFrame::new_checked(&f[..]).unwrap();
            let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
            if ip.next_header() != IpProtocol::Udp {
                continue;
            }
            if ip.more_frags() || ip.frag_offset() != 0 {
                assert_eq!(ip.frag_offset() as usize, partial.len());
                partial.extend_from_slice(ip.payload());
                if ip.more_frags() {
                    continue;
                }
            } else {
                partial = ip.payload().to_vec();
            }
            let udp = UdpPacket::new_checked(&partial[..]).unwrap();
            assert!(udp.verify_checksum(&ip.src_addr().into(), &ip.dst_addr().into()));
            out.push((
                SocketAddrV4::new(ip.src_addr(), udp.src_port()),
                SocketAddrV4::new(ip.dst_addr(), udp.dst_port()),
                udp.payload().to_vec(),
            ));
            partial.clear();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    out
}

// ---- a guest TCP/IP stack ----------------------------------------------

/// A phy device made of two frame queues.
#[derive(Default)]
struct Wire {
    inbound: VecDeque<Vec<u8>>,
    outbound: VecDeque<Vec<u8>>,
}

struct WireRx(Vec<u8>);
struct WireTx<'a>(&'a mut VecDeque<Vec<u8>>);

impl phy::RxToken for WireRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for WireTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = vec![0; len];
        let r = f(&mut b);
        self.0.push_back(b);
        r
    }
}

impl Device for Wire {
    type RxToken<'a> = WireRx;
    type TxToken<'a> = WireTx<'a>;

    fn receive(&mut self, _: SmolInstant) -> Option<(WireRx, WireTx<'_>)> {
        let f = self.inbound.pop_front()?;
        Some((WireRx(f), WireTx(&mut self.outbound)))
    }

    fn transmit(&mut self, _: SmolInstant) -> Option<WireTx<'_>> {
        Some(WireTx(&mut self.outbound))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ethernet;
        c.max_transmission_unit = 1514;
        c
    }
}

/// The guest: a smoltcp stack at 10.0.2.15 with 10.0.2.2 as its router.
struct Guest {
    iface: Interface,
    sockets: SocketSet<'static>,
    wire: Wire,
    start: Instant,
}

impl Guest {
    fn new() -> Guest {
        let mut wire = Wire::default();
        let mut iface = Interface::new(
            Config::new(HardwareAddress::Ethernet(GUEST_MAC)),
            &mut wire,
            SmolInstant::ZERO,
        );
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(GUEST_IP.into(), 24)).unwrap();
        });
        iface
            .routes_mut()
            .add_default_ipv4_route(GATEWAY_IP)
            .unwrap();
        Guest {
            iface,
            sockets: SocketSet::new(Vec::new()),
            wire,
            start: Instant::now(),
        }
    }

    fn socket() -> tcp::Socket<'static> {
        tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; 16384]),
            tcp::SocketBuffer::new(vec![0; 16384]),
        )
    }

    fn connect(&mut self, remote: (Ipv4Addr, u16), local_port: u16) -> SocketHandle {
        let mut s = Guest::socket();
        s.connect(self.iface.context(), remote, local_port).unwrap();
        self.sockets.add(s)
    }

    fn listen(&mut self, port: u16) -> SocketHandle {
        let mut s = Guest::socket();
        s.listen(port).unwrap();
        self.sockets.add(s)
    }

    fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(h)
    }

    /// Exchange frames with the backend until `done` or the patience
    /// runs out; returns whether `done` happened.
    fn run_until(&mut self, net: &mut UserNet, mut done: impl FnMut(&mut Guest) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = vec![0u8; crate::MAX_FRAME_LEN];
        while Instant::now() < deadline {
            let now = SmolInstant::from_micros(self.start.elapsed().as_micros() as i64);
            self.iface.poll(now, &mut self.wire, &mut self.sockets);
            let mut moved = false;
            while let Some(f) = self.wire.outbound.pop_front() {
                net.send(&f);
                moved = true;
            }
            net.process();
            while let Some(n) = net.recv(&mut buf) {
                self.wire.inbound.push_back(buf[..n].to_vec());
                moved = true;
            }
            if done(self) {
                return true;
            }
            if !moved {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        false
    }
}

#[test]
fn guest_tcp_reaches_host_loopback_through_the_gateway() {
    let host = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let mut net = user_net(UserConfig::default());
    let mut guest = Guest::new();
    let h = guest.connect((GATEWAY_IP, port), 41_000);

    // Connect, and say hello from the guest.
    assert!(
        guest.run_until(&mut net, |g| g.tcp(h).may_send()),
        "handshake"
    );
    guest.tcp(h).send_slice(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let (mut conn, peer) = host.accept().unwrap();
    conn.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut request = [0u8; 18];
    let pump = std::thread::scope(|s| {
        let reader = s.spawn(|| conn.read_exact(&mut request).map(|_| ()));
        guest.run_until(&mut net, |_| reader.is_finished());
        reader.join().unwrap()
    });
    pump.expect("request reaches the host");

    // Answer with more than a socket buffer, then close.
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let writer = {
        let mut conn = conn.try_clone().unwrap();
        let body = body.clone();
        std::thread::spawn(move || {
            conn.write_all(&body).unwrap();
            conn.shutdown(std::net::Shutdown::Write).unwrap();
        })
    };
    let mut received = Vec::new();
    let finished = guest.run_until(&mut net, |g| {
        let s = g.tcp(h);
        while s.can_recv() {
            s.recv(|b| {
                received.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        !s.may_recv()
    });
    writer.join().unwrap();

    assert!(peer.ip().is_loopback());
    assert_eq!(&request, b"GET / HTTP/1.0\r\n\r\n");
    assert!(finished, "the host's FIN reaches the guest");
    assert_eq!(received.len(), body.len());
    assert!(received == body, "the body arrives intact");

    // The guest closes too: the connection goes away on both sides.
    guest.tcp(h).close();
    let mut eof = [0u8; 1];
    assert!(guest.run_until(&mut net, |g| !g.tcp(h).is_open()
        || g.tcp(h).state() == tcp::State::TimeWait));
    assert_eq!(
        conn.read(&mut eof).unwrap(),
        0,
        "the guest's FIN reaches the host"
    );
    assert!(guest.run_until(&mut net, |_| true));
    net.process();
    assert_eq!(net.flow_counts().0, 0, "the connection is gone");
}

#[test]
fn refused_host_connections_reset_the_guest() {
    // A port nobody listens on: bind, note the port, close.
    let port = StdTcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut net = user_net(UserConfig::default());
    let mut guest = Guest::new();
    let h = guest.connect((GATEWAY_IP, port), 41_001);

    let closed = guest.run_until(&mut net, |g| g.tcp(h).state() == tcp::State::Closed);

    assert!(closed, "the guest sees a reset, not a hang");
    assert!(guest.run_until(&mut net, |_| true));
    net.process();
    assert_eq!(net.flow_counts().0, 0);
}

#[test]
fn connections_to_nowhere_in_the_network_are_refused() {
    let mut net = user_net(UserConfig::default());
    let mut guest = Guest::new();
    let h = guest.connect((Ipv4Addr::new(10, 0, 2, 3), 80), 41_002);

    let closed = guest.run_until(&mut net, |g| g.tcp(h).state() == tcp::State::Closed);

    assert!(closed);
    assert_eq!(net.flow_counts(), (0, 0));
}

#[test]
fn host_forwards_reach_a_guest_server() {
    let mut net = user_net(UserConfig {
        host_forwards: vec![crate::HostForward {
            host: "127.0.0.1:0".parse().unwrap(),
            guest_port: 8080,
        }],
        ..UserConfig::default()
    });
    let addr = net.forward_addrs()[0];
    let mut guest = Guest::new();
    let h = guest.listen(8080);
    let client = std::thread::spawn(move || {
        let mut c = StdTcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(PATIENCE)).unwrap();
        c.write_all(b"hello guest").unwrap();
        let mut reply = Vec::new();
        c.read_to_end(&mut reply).unwrap();
        reply
    });

    let mut got = Vec::new();
    assert!(guest.run_until(&mut net, |g| {
        let s = g.tcp(h);
        if s.can_recv() {
            s.recv(|b| {
                got.extend_from_slice(b);
                (b.len(), ())
            })
            .unwrap();
        }
        got.len() == 11
    }));
    let remote = guest.tcp(h).remote_endpoint().unwrap();
    guest.tcp(h).send_slice(b"hello host").unwrap();
    guest.tcp(h).close();
    let mut client = Some(client);
    let mut reply = None;
    assert!(guest.run_until(&mut net, |_| {
        if client.as_ref().is_some_and(|c| c.is_finished()) {
            reply = client.take().map(|c| c.join().unwrap());
        }
        reply.is_some()
    }));

    assert_eq!(got, b"hello guest");
    assert_eq!(remote.addr, IpAddress::Ipv4(GATEWAY_IP));
    assert_eq!(reply.unwrap(), b"hello host");
}

fn tcp_syn(src_port: u16, dst: SocketAddrV4) -> Vec<u8> {
    let repr = TcpRepr {
        src_port,
        dst_port: dst.port(),
        control: TcpControl::Syn,
        seq_number: TcpSeqNumber(1000),
        ack_number: None,
        window_len: 1024,
        window_scale: None,
        max_seg_size: Some(1460),
        sack_permitted: false,
        sack_ranges: [None; 3],
        timestamp: None,
        payload: &[],
    };
    let ip = smoltcp::wire::Ipv4Repr {
        src_addr: GUEST_IP,
        dst_addr: *dst.ip(),
        next_header: IpProtocol::Tcp,
        payload_len: repr.buffer_len(),
        hop_limit: 64,
    };
    let mut frame = vec![0u8; 14 + 20 + repr.buffer_len()];
    EthernetRepr {
        src_addr: GUEST_MAC,
        dst_addr: router_mac(),
        ethertype: EthernetProtocol::Ipv4,
    }
    .emit(&mut EthernetFrame::new_unchecked(&mut frame[..]));
    let caps = ChecksumCapabilities::default();
    let mut packet = Ipv4Packet::new_unchecked(&mut frame[14..]);
    ip.emit(&mut packet, &caps);
    repr.emit(
        &mut TcpPacket::new_unchecked(packet.payload_mut()),
        &IpAddress::Ipv4(GUEST_IP),
        &IpAddress::Ipv4(*dst.ip()),
        &caps,
    );
    frame
}

#[test]
fn a_syn_flood_is_bounded() {
    let host = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let mut net = user_net(UserConfig::default());
    let dst = SocketAddrV4::new(GATEWAY_IP, port);

    for i in 0..(super::tcp::MAX_TCP_CONNECTIONS as u16 + 100) {
        net.send(&tcp_syn(20_000 + i, dst));
        if i % 64 == 0 {
            net.process();
            let _ = frames_for_guest(&mut net);
        }
    }
    net.process();

    assert_eq!(net.flow_counts().0, super::tcp::MAX_TCP_CONNECTIONS);
    drop(host);
}

#[test]
fn garbage_frames_are_dropped_without_harm() {
    // Mutated addresses must not become real connections.
    let mut net = user_net(UserConfig {
        restrict: true,
        ..UserConfig::default()
    });
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let templates = [
        arp_request(GATEWAY_IP),
        dhcp_message(DhcpMessageType::Discover, None, None),
        tcp_syn(1234, SocketAddrV4::new(GATEWAY_IP, 1)),
        guest_udp_frame(
            SocketAddrV4::new(GUEST_IP, 1),
            SocketAddrV4::new(DNS_IP, 53),
            b"x",
        ),
    ];

    for i in 0..20_000usize {
        let mut f = templates[i % templates.len()].clone();
        let r = next();
        match r % 4 {
            0 => f.truncate((r >> 8) as usize % (f.len() + 1)),
            1 => {
                let at = (r >> 8) as usize % f.len();
                f[at] = (r >> 32) as u8;
            }
            2 => f = (0..(r >> 8) % 200).map(|_| next() as u8).collect(),
            _ => {
                for _ in 0..4 {
                    let at = next() as usize % f.len();
                    f[at] ^= next() as u8;
                }
            }
        }
        net.send(&f);
        if i % 100 == 0 {
            let _ = frames_for_guest(&mut net);
        }
    }
    let _ = frames_for_guest(&mut net);
}

#[test]
fn resolv_conf_is_parsed() {
    assert_eq!(
        resolver_from("# x\nsearch lan\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"),
        Some("192.0.2.53:53".parse().unwrap())
    );
    assert_eq!(
        resolver_from("nameserver fe80::1%eth0\n"),
        Some("[fe80::1]:53".parse().unwrap())
    );
    assert_eq!(resolver_from("search lan\n"), None);
}

#[test]
fn translation_keeps_the_guest_inside_its_bounds() {
    let dns: SocketAddr = "192.0.2.53:53".parse().unwrap();
    let t = |ip: [u8; 4], port| translate(SocketAddrV4::new(ip.into(), port), Some(dns));

    assert_eq!(t([10, 0, 2, 2], 80), Some("127.0.0.1:80".parse().unwrap()));
    assert_eq!(t([10, 0, 2, 3], 53), Some(dns));
    assert_eq!(t([10, 0, 2, 3], 80), None);
    assert_eq!(t([10, 0, 2, 15], 80), None);
    assert_eq!(t([10, 0, 2, 255], 80), None);
    assert_eq!(t([127, 0, 0, 1], 80), None);
    assert_eq!(t([224, 0, 0, 1], 80), None);
    assert_eq!(t([255, 255, 255, 255], 80), None);
    assert_eq!(t([192, 0, 2, 1], 0), None);
    assert_eq!(
        t([192, 0, 2, 1], 443),
        Some("192.0.2.1:443".parse().unwrap())
    );
}

#[test]
fn restrict_keeps_everything_inside() {
    let host = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let udp_host = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp_port = udp_host.local_addr().unwrap().port();
    let mut net = user_net(UserConfig {
        restrict: true,
        ..UserConfig::default()
    });
    let mut guest = Guest::new();
    let h = guest.connect((GATEWAY_IP, port), 41_003);

    let refused = guest.run_until(&mut net, |g| g.tcp(h).state() == tcp::State::Closed);
    net.send(&guest_udp_frame(
        SocketAddrV4::new(GUEST_IP, 1000),
        SocketAddrV4::new(GATEWAY_IP, udp_port),
        b"x",
    ));
    net.process();
    let (_, dhcp_reply, _) = dhcp_exchange(
        &mut net,
        dhcp_message(DhcpMessageType::Discover, None, None),
    );

    assert!(refused, "TCP to the host is refused");
    assert_eq!(net.flow_counts(), (0, 0), "no host socket was opened");
    assert_eq!(dhcp_reply, DhcpMessageType::Offer, "DHCP still answers");
}
