//! The DHCP server of the user-mode network (RFC 2131, the subset a
//! single-guest network needs): it hands out 10.0.2.15 to whoever asks,
//! with 10.0.2.2 as router and 10.0.2.3 as DNS server.

use super::{DNS_IP, GATEWAY_IP, GUEST_IP, NETMASK};
use smoltcp::wire::{
    DhcpMessageType, DhcpOption, DhcpPacket, DhcpRepr, EthernetAddress, Ipv4Address,
};
use std::net::SocketAddrV4;

/// Server port.
pub(super) const SERVER_PORT: u16 = 67;
/// Client port.
pub(super) const CLIENT_PORT: u16 = 68;
/// Lease time offered, in seconds.
pub(super) const LEASE_SECS: u32 = 86_400;
/// Option code of the domain name servers.
const OPT_DNS: u8 = 6;
/// Smallest BOOTP message: some clients drop shorter ones.
const MIN_BOOTP_LEN: usize = 300;

/// A reply to send: the UDP payload and where it goes.
pub(super) struct DhcpReply {
    /// The DHCP message.
    pub payload: Vec<u8>,
    /// Destination IP and port.
    pub dst: SocketAddrV4,
    /// Destination MAC.
    pub dst_mac: EthernetAddress,
}

/// Answer one DHCP message from the guest (the payload of a UDP datagram
/// to port 67). `None` for anything that needs no answer or does not
/// parse.
pub(super) fn reply(request: &[u8]) -> Option<DhcpReply> {
    let packet = DhcpPacket::new_checked(request).ok()?;
    let req = DhcpRepr::parse(&packet).ok()?;
    let reply_type = match req.message_type {
        DhcpMessageType::Discover => DhcpMessageType::Offer,
        DhcpMessageType::Request => {
            // A client that picked another server's offer: stay quiet.
            if req.server_identifier.is_some_and(|s| s != GATEWAY_IP) {
                return None;
            }
            let asked = req
                .requested_ip
                .or_else(|| (!req.client_ip.is_unspecified()).then_some(req.client_ip));
            match asked {
                Some(ip) if ip != GUEST_IP => DhcpMessageType::Nak,
                _ => DhcpMessageType::Ack,
            }
        }
        DhcpMessageType::Inform => DhcpMessageType::Ack,
        _ => return None,
    };
    let inform = req.message_type == DhcpMessageType::Inform;
    let nak = reply_type == DhcpMessageType::Nak;
    let dns = DNS_IP.octets();
    let dns_option = [DhcpOption {
        kind: OPT_DNS,
        data: &dns,
    }];
    let repr = DhcpRepr {
        message_type: reply_type,
        transaction_id: req.transaction_id,
        secs: 0,
        client_hardware_address: req.client_hardware_address,
        client_ip: if inform {
            req.client_ip
        } else {
            Ipv4Address::UNSPECIFIED
        },
        your_ip: if inform || nak {
            Ipv4Address::UNSPECIFIED
        } else {
            GUEST_IP
        },
        server_ip: Ipv4Address::UNSPECIFIED,
        router: (!nak).then_some(GATEWAY_IP),
        subnet_mask: (!nak).then_some(NETMASK),
        relay_agent_ip: Ipv4Address::UNSPECIFIED,
        broadcast: req.broadcast,
        requested_ip: None,
        client_identifier: None,
        server_identifier: Some(GATEWAY_IP),
        parameter_request_list: None,
        dns_servers: None,
        max_size: None,
        lease_duration: (!nak && !inform).then_some(LEASE_SECS),
        renew_duration: None,
        rebind_duration: None,
        additional_options: if nak { &[] } else { &dns_option },
    };
    let mut payload = vec![0u8; repr.buffer_len().max(MIN_BOOTP_LEN)];
    repr.emit(&mut DhcpPacket::new_unchecked(&mut payload[..]))
        .ok()?;

    // RFC 2131 4.1: broadcast when the client asks for it or has no
    // address yet to receive unicast on (NAK always broadcasts).
    let client_mac = req.client_hardware_address;
    let (dst_ip, dst_mac) = if inform && !req.client_ip.is_unspecified() {
        (req.client_ip, client_mac)
    } else if req.broadcast || nak || !client_mac.is_unicast() {
        (Ipv4Address::BROADCAST, EthernetAddress::BROADCAST)
    } else {
        (GUEST_IP, client_mac)
    };
    Some(DhcpReply {
        payload,
        dst: SocketAddrV4::new(dst_ip, CLIENT_PORT),
        dst_mac,
    })
}
