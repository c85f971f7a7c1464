//! Building the frames vireo sends to the guest by hand (DHCP replies and
//! NATed UDP datagrams; smoltcp builds everything else).

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    EthernetAddress, EthernetFrame, EthernetProtocol, EthernetRepr, IpProtocol, Ipv4Packet,
    Ipv4Repr, UdpPacket, UdpRepr,
};
use std::net::SocketAddrV4;

/// IPv4 header length of the frames built here (no options).
const IPV4_HEADER_LEN: usize = 20;
/// Ethernet header length.
const ETHERNET_HEADER_LEN: usize = 14;
/// Largest IP payload per frame: a 1500-byte IP MTU minus the header,
/// rounded down to the 8-byte unit of fragment offsets (1480 already is).
const MAX_FRAGMENT_PAYLOAD: usize = 1480;
/// Largest UDP payload an IPv4 datagram can carry.
pub(super) const MAX_UDP_PAYLOAD: usize = 65_535 - IPV4_HEADER_LEN - 8;

/// Number of frames [`udp_frames`] produces for `payload_len` bytes.
pub(super) fn udp_frame_count(payload_len: usize) -> usize {
    (8 + payload_len).div_ceil(MAX_FRAGMENT_PAYLOAD).max(1)
}

/// The Ethernet frames of one UDP datagram from `src` to `dst`,
/// fragmented to fit a 1500-byte MTU. `ident` is the IP identification
/// (it ties fragments together). Returns no frames for a payload larger
/// than UDP allows.
pub(super) fn udp_frames(
    src_mac: EthernetAddress,
    dst_mac: EthernetAddress,
    src: SocketAddrV4,
    dst: SocketAddrV4,
    ident: u16,
    payload: &[u8],
) -> Vec<Vec<u8>> {
    if payload.len() > MAX_UDP_PAYLOAD {
        return Vec::new();
    }
    let caps = ChecksumCapabilities::default();
    let mut datagram = vec![0u8; 8 + payload.len()];
    UdpRepr {
        src_port: src.port(),
        dst_port: dst.port(),
    }
    .emit(
        &mut UdpPacket::new_unchecked(&mut datagram[..]),
        &(*src.ip()).into(),
        &(*dst.ip()).into(),
        payload.len(),
        |buf| buf.copy_from_slice(payload),
        &caps,
    );

    let chunks = datagram.chunks(MAX_FRAGMENT_PAYLOAD);
    let count = chunks.len();
    let mut frames = Vec::with_capacity(count);
    for (i, chunk) in chunks.enumerate() {
        let mut frame = vec![0u8; ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + chunk.len()];
        EthernetRepr {
            src_addr: src_mac,
            dst_addr: dst_mac,
            ethertype: EthernetProtocol::Ipv4,
        }
        .emit(&mut EthernetFrame::new_unchecked(&mut frame[..]));
        let mut ip = Ipv4Packet::new_unchecked(&mut frame[ETHERNET_HEADER_LEN..]);
        Ipv4Repr {
            src_addr: *src.ip(),
            dst_addr: *dst.ip(),
            next_header: IpProtocol::Udp,
            payload_len: chunk.len(),
            hop_limit: 64,
        }
        .emit(&mut ip, &caps);
        ip.set_ident(ident);
        if count > 1 {
            ip.set_dont_frag(false);
            ip.set_more_frags(i + 1 < count);
            // At most 65535 / 1480 chunks: the offset fits in 16 bits.
            ip.set_frag_offset((i * MAX_FRAGMENT_PAYLOAD) as u16);
        }
        ip.fill_checksum();
        ip.payload_mut().copy_from_slice(chunk);
        frames.push(frame);
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use smoltcp::wire::IpAddress;

    fn mac(b: u8) -> EthernetAddress {
        EthernetAddress([2, 0, 0, 0, 0, b])
    }

    #[test]
    fn small_datagram_is_one_valid_frame() {
        let src: SocketAddrV4 = "10.0.2.3:53".parse().unwrap();
        let dst: SocketAddrV4 = "10.0.2.15:3333".parse().unwrap();

        let frames = udp_frames(mac(1), mac(2), src, dst, 7, b"hello");

        assert_eq!(frames.len(), 1);
        let eth = EthernetFrame::new_checked(&frames[0][..]).unwrap();
        let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
        assert!(ip.verify_checksum());
        let udp = UdpPacket::new_checked(ip.payload()).unwrap();
        assert!(udp.verify_checksum(&IpAddress::Ipv4(*src.ip()), &IpAddress::Ipv4(*dst.ip())));
        assert_eq!(udp.payload(), b"hello");
    }

    #[test]
    fn large_datagram_is_fragmented() {
        let src: SocketAddrV4 = "10.0.2.3:53".parse().unwrap();
        let dst: SocketAddrV4 = "10.0.2.15:3333".parse().unwrap();
        let payload: Vec<u8> = (0..4000u32).map(|i| i as u8).collect();

        let frames = udp_frames(mac(1), mac(2), src, dst, 9, &payload);

        assert_eq!(frames.len(), udp_frame_count(payload.len()));
        assert_eq!(frames.len(), 3);
        let mut joined = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            assert!(f.len() <= 1514);
            let eth = EthernetFrame::new_checked(&f[..]).unwrap();
            let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
            assert!(ip.verify_checksum());
            assert_eq!(ip.more_frags(), i < 2);
            assert_eq!(ip.frag_offset() as usize, joined.len());
            joined.extend_from_slice(ip.payload());
        }
        assert_eq!(&joined[8..], &payload[..]);
        assert!(udp_frames(mac(1), mac(2), src, dst, 0, &vec![0; 70_000]).is_empty());
    }
}
