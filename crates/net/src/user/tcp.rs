//! TCP: NAT of guest connections onto host sockets, and host port
//! forwards into the guest.
//!
//! Every TCP connection of the guest ends in a smoltcp socket; vireo
//! splices its byte stream to a host `TcpStream`:
//!
//! - **Outgoing** (the guest connects somewhere): when a SYN for a new
//!   4-tuple arrives, vireo starts a non-blocking host connect to the
//!   translated destination and opens a smoltcp socket listening on the
//!   exact address the guest dialled, with its SYN-ACK held back
//!   (`pause_synack`). The guest sees the handshake complete only when
//!   the host connection did; a refused or failed host connect becomes a
//!   RST, so the guest gets "connection refused" as on a real network.
//! - **Incoming** (`hostfwd`): an accepted host connection becomes a
//!   smoltcp socket connecting from 10.0.2.2 to 10.0.2.15:GUESTPORT.
//!
//! Splicing moves bytes directly between the host socket and the smoltcp
//! socket buffers, so a connection holds at most two [`TCP_BUFFER_SIZE`]
//! buffers, and at most [`MAX_TCP_CONNECTIONS`] connections exist: a
//! hostile guest cannot make vireo allocate more. Half-closes travel both
//! ways (a FIN becomes `shutdown(Write)` and EOF becomes a FIN); resets and
//! host errors become RSTs.

use super::{FlowKey, Source, UserNet, GATEWAY_IP, GUEST_IP};
use mio::net::TcpStream;
use mio::{Interest, Token};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use smoltcp::time::Duration as SmolDuration;
use smoltcp::wire::IpListenEndpoint;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddrV4};
use std::time::{Duration, Instant};

/// Most TCP connections (outgoing and forwarded) at once.
pub const MAX_TCP_CONNECTIONS: usize = 256;
/// Receive and send buffer of each connection's smoltcp socket.
pub const TCP_BUFFER_SIZE: usize = 64 * 1024;
/// How long a host connect may take before the guest gets a RST.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an aborted connection may wait for its RST to go out.
const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// smoltcp gives up on a peer that acknowledges nothing for this long.
const STALL_TIMEOUT: SmolDuration = SmolDuration::from_secs(120);
/// First port of the range forwarded connections come from (10.0.2.2:P).
pub(super) const EPHEMERAL_FIRST_PORT: u16 = 49152;

/// Where a connection is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Outgoing: the host connect is in progress; the guest's SYN waits.
    Connecting { deadline: Instant },
    /// Both sides connected (or connecting, for forwards): splicing.
    Open,
    /// Aborted: waiting for smoltcp to send the RST.
    Closing { deadline: Instant },
}

/// One spliced connection.
pub(super) struct TcpConn {
    pub(super) token: Token,
    pub(super) handle: SocketHandle,
    pub(super) stream: TcpStream,
    pub(super) phase: Phase,
    /// The host socket may have data (cleared when a read would block).
    pub(super) readable: bool,
    /// The host socket may take data (cleared when a write would block).
    pub(super) writable: bool,
    /// The host closed its sending side; smoltcp was told to send a FIN.
    host_eof: bool,
    /// The guest's FIN was passed on with `shutdown(Write)`.
    guest_eof: bool,
}

fn new_socket() -> tcp::Socket<'static> {
    let mut s = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER_SIZE]),
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER_SIZE]),
    );
    s.set_nagle_enabled(false);
    s.set_timeout(Some(STALL_TIMEOUT));
    s
}

/// What a host connect in progress has become.
enum ConnectState {
    Pending,
    Connected,
    Failed,
}

fn connect_state(stream: &TcpStream) -> ConnectState {
    match stream.take_error() {
        Ok(Some(_)) | Err(_) => return ConnectState::Failed,
        Ok(None) => {}
    }
    match stream.peer_addr() {
        Ok(_) => ConnectState::Connected,
        Err(e) if e.kind() == io::ErrorKind::NotConnected => ConnectState::Pending,
        Err(_) => ConnectState::Failed,
    }
}

impl TcpConn {
    /// Move bytes both ways between the host stream and `sock`, and pass
    /// half-closes on. Returns true when anything moved.
    fn splice(&mut self, sock: &mut tcp::Socket) -> bool {
        let mut progress = false;

        // Guest → host.
        while self.writable && sock.can_recv() {
            let r = sock.recv(|buf| match self.stream.write(buf) {
                Ok(n) => (n, Ok(n)),
                Err(e) => (0, Err(e)),
            });
            match r {
                Ok(Ok(0)) => {
                    // The host takes no more bytes: treat as an error.
                    sock.abort();
                    return true;
                }
                Ok(Ok(_)) => progress = true,
                Ok(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => self.writable = false,
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(_)) => {
                    sock.abort();
                    return true;
                }
                Err(_) => break,
            }
        }
        let guest_finished = matches!(
            sock.state(),
            tcp::State::CloseWait
                | tcp::State::LastAck
                | tcp::State::Closing
                | tcp::State::TimeWait
        );
        if guest_finished && !sock.can_recv() && !self.guest_eof {
            let _ = self.stream.shutdown(Shutdown::Write);
            self.guest_eof = true;
            progress = true;
        }

        // Host → guest.
        while !self.host_eof && self.readable && sock.can_send() {
            let r = sock.send(|buf| {
                if buf.is_empty() {
                    return (0, Ok(None));
                }
                match self.stream.read(buf) {
                    Ok(n) => (n, Ok(Some(n))),
                    Err(e) => (0, Err(e)),
                }
            });
            match r {
                Ok(Ok(Some(0))) => {
                    self.host_eof = true;
                    sock.close();
                    progress = true;
                }
                Ok(Ok(Some(_))) => progress = true,
                Ok(Ok(None)) => break,
                Ok(Err(e)) if e.kind() == io::ErrorKind::WouldBlock => self.readable = false,
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(_)) => {
                    sock.abort();
                    return true;
                }
                Err(_) => break,
            }
        }
        progress
    }
}

impl UserNet {
    /// A pure SYN from the guest. Returns false when the frame must be
    /// dropped (no room); otherwise the caller hands it to smoltcp, which
    /// either finds the socket prepared here or answers with a RST.
    pub(super) fn guest_tcp_syn(&mut self, guest: SocketAddrV4, remote: SocketAddrV4) -> bool {
        let key = FlowKey { guest, remote };
        if self.tcp.contains_key(&key) {
            return true; // a retransmitted SYN: smoltcp deals with it
        }
        if self.tcp.len() >= MAX_TCP_CONNECTIONS {
            return true; // refused: no socket, smoltcp sends a RST
        }
        let Some(target) = self.host_target(remote) else {
            return true;
        };
        let Ok(mut stream) = TcpStream::connect(target) else {
            return true;
        };
        let token = self.new_token();
        if self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
            .is_err()
        {
            return true;
        }
        let mut sock = new_socket();
        if sock
            .listen(IpListenEndpoint {
                addr: Some((*remote.ip()).into()),
                port: remote.port(),
            })
            .is_err()
        {
            let _ = self.poll.registry().deregister(&mut stream);
            return true;
        }
        sock.pause_synack(true);
        let handle = self.sockets.add(sock);
        self.sources.insert(token, Source::Tcp(key));
        self.tcp.insert(
            key,
            TcpConn {
                token,
                handle,
                stream,
                phase: Phase::Connecting {
                    deadline: Instant::now() + CONNECT_TIMEOUT,
                },
                readable: false,
                writable: false,
                host_eof: false,
                guest_eof: false,
            },
        );
        true
    }

    /// Accept waiting connections on the port forward `index`.
    pub(super) fn accept_forward(&mut self, index: usize) {
        loop {
            let Some(fwd) = self.forwards.get_mut(index) else {
                return;
            };
            let guest_port = fwd.guest_port;
            match fwd.listener.accept() {
                Ok((stream, _)) => {
                    if self.tcp.len() < MAX_TCP_CONNECTIONS {
                        self.forward_in(stream, guest_port);
                    }
                    // else: dropping the stream refuses the connection.
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    // WouldBlock, or out of descriptors: wait for the
                    // next connection to wake us.
                    fwd.ready = false;
                    return;
                }
            }
        }
    }

    /// Bring an accepted host connection into the guest.
    fn forward_in(&mut self, mut stream: TcpStream, guest_port: u16) {
        let guest = SocketAddrV4::new(GUEST_IP, guest_port);
        let Some(port) = self.free_forward_port(guest) else {
            return;
        };
        let remote = SocketAddrV4::new(GATEWAY_IP, port);
        let mut sock = new_socket();
        if sock
            .connect(
                self.iface.context(),
                (GUEST_IP, guest_port),
                (GATEWAY_IP, port),
            )
            .is_err()
        {
            return;
        }
        let token = self.new_token();
        if self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
            .is_err()
        {
            return;
        }
        let _ = stream.set_nodelay(true);
        let key = FlowKey { guest, remote };
        let handle = self.sockets.add(sock);
        self.sources.insert(token, Source::Tcp(key));
        self.tcp.insert(
            key,
            TcpConn {
                token,
                handle,
                stream,
                phase: Phase::Open,
                readable: true,
                writable: true,
                host_eof: false,
                guest_eof: false,
            },
        );
    }

    /// A port of 10.0.2.2 no connection to `guest` uses.
    fn free_forward_port(&mut self, guest: SocketAddrV4) -> Option<u16> {
        let span = u16::MAX - EPHEMERAL_FIRST_PORT + 1;
        for _ in 0..span {
            let port = self.next_port;
            self.next_port = if port == u16::MAX {
                EPHEMERAL_FIRST_PORT
            } else {
                port + 1
            };
            let key = FlowKey {
                guest,
                remote: SocketAddrV4::new(GATEWAY_IP, port),
            };
            if !self.tcp.contains_key(&key) {
                return Some(port);
            }
        }
        None
    }

    /// Advance every connection: finish host connects, splice, notice
    /// ends. Returns true when anything changed (smoltcp then has work).
    pub(super) fn service_tcp(&mut self, now: Instant) -> bool {
        let mut progress = false;
        let mut dead = Vec::new();
        for (key, conn) in self.tcp.iter_mut() {
            let sock = self.sockets.get_mut::<tcp::Socket>(conn.handle);
            if let Phase::Connecting { deadline } = conn.phase {
                if sock.state() == tcp::State::Closed {
                    // The guest gave up (or reset) before the host answered.
                    dead.push(*key);
                    continue;
                }
                let state = if conn.readable || conn.writable {
                    connect_state(&conn.stream)
                } else {
                    ConnectState::Pending
                };
                match state {
                    ConnectState::Connected => {
                        let _ = conn.stream.set_nodelay(true);
                        sock.pause_synack(false);
                        conn.phase = Phase::Open;
                        progress = true;
                    }
                    ConnectState::Pending if now < deadline => {
                        conn.readable = false;
                        conn.writable = false;
                        continue;
                    }
                    _ => {
                        sock.abort();
                        conn.phase = Phase::Closing {
                            deadline: now + CLOSE_GRACE,
                        };
                        progress = true;
                        continue;
                    }
                }
            }
            match conn.phase {
                Phase::Open => {
                    progress |= conn.splice(sock);
                    match sock.state() {
                        // The guest's SYN never reached the socket.
                        tcp::State::Listen => dead.push(*key),
                        tcp::State::TimeWait => dead.push(*key),
                        tcp::State::Closed if sock.remote_endpoint().is_none() => dead.push(*key),
                        tcp::State::Closed => {
                            // A RST is still to go out.
                            conn.phase = Phase::Closing {
                                deadline: now + CLOSE_GRACE,
                            };
                        }
                        _ => {}
                    }
                }
                Phase::Closing { deadline } => {
                    if sock.remote_endpoint().is_none()
                        || sock.state() != tcp::State::Closed
                        || now >= deadline
                    {
                        dead.push(*key);
                    }
                }
                Phase::Connecting { .. } => {}
            }
        }
        for key in dead {
            self.drop_tcp(&key);
            progress = true;
        }
        progress
    }

    /// The earliest host-connect or close deadline.
    pub(super) fn tcp_deadline(&self) -> Option<Instant> {
        self.tcp
            .values()
            .filter_map(|c| match c.phase {
                Phase::Connecting { deadline } | Phase::Closing { deadline } => Some(deadline),
                Phase::Open => None,
            })
            .min()
    }

    fn drop_tcp(&mut self, key: &FlowKey) {
        if let Some(mut conn) = self.tcp.remove(key) {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.sources.remove(&conn.token);
            self.sockets.remove(conn.handle);
        }
    }
}
