//! virtio-net with the Debian guest: user-mode networking (DHCP, the
//! gateway to the host's loopback, port forwards) and a host TAP device.
//!
//! The whole test runs inside a network namespace it creates (`ip netns
//! add`, so it needs root, as CI has): vireo, the test's HTTP server and
//! the TAP device live there, and no packet can leave the machine. The
//! guest gets two cards:
//!
//! - `eth0`, `--net user,hostfwd=tcp::HOSTPORT-:8080`: the guest takes
//!   10.0.2.15 by DHCP, fetches pages from the test's HTTP server through
//!   10.0.2.2 (the namespace's 127.0.0.1), and the test fetches a page from
//!   busybox `httpd` in the guest through the port forward;
//! - `eth1`, `--net tap=vtap0,mac=...`: a TAP device at 10.77.0.1/24 in
//!   the namespace; the guest takes 10.77.0.2 and both directions are
//!   tried again over it.

use crate::linux::Vireo;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const BANNER: &str = "vireo guest ready:";
const PROMPT: &str = "vireo:/# ";
/// Loads virtio_mmio and virtio_net at boot.
const CMDLINE: &str = "console=ttyS0 vireo.modules=1";
/// The MAC given to the TAP card.
const TAP_MAC: &str = "52:54:00:aa:bb:01";
/// The host side of the TAP device, and the guest's address on it.
const TAP_HOST_IP: &str = "10.77.0.1";
const TAP_GUEST_IP: &str = "10.77.0.2";
/// Where the guest's httpd listens.
const GUEST_HTTP_PORT: u16 = 8080;
/// Lines of the large page (`vireo-line-NNNNNN\n`, 18 bytes each).
const BIG_LINES: usize = 40_000;
/// Hang guard of one HTTP exchange from the host.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The large page, as both sides know it.
fn big_page() -> Vec<u8> {
    (0..BIG_LINES)
        .flat_map(|i| format!("vireo-line-{i:06}\n").into_bytes())
        .collect()
}

// ---- a network namespace with a TAP device ---------------------------------

/// A network namespace of this test, deleted on drop.
struct NetNs {
    name: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip` (iproute2): {e}"));
    assert!(
        out.status.success(),
        "`ip {}` failed: {}\nthis test needs root (CAP_NET_ADMIN) to make a network namespace and a TAP device",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl NetNs {
    /// A namespace with loopback up and the TAP device `vtap0` at
    /// 10.77.0.1/24.
    fn create() -> NetNs {
        let name = format!("vireo-net-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        ip(&["netns", "add", &name]);
        let ns = NetNs { name };
        let n = ns.name.as_str();
        ip(&["-n", n, "link", "set", "lo", "up"]);
        ip(&["-n", n, "tuntap", "add", "dev", "vtap0", "mode", "tap"]);
        ip(&[
            "-n",
            n,
            "addr",
            "add",
            &format!("{TAP_HOST_IP}/24"),
            "dev",
            "vtap0",
        ]);
        ip(&["-n", n, "link", "set", "vtap0", "up"]);
        ns
    }

    /// Move the calling thread into the namespace: sockets it opens and
    /// processes it starts from then on live there.
    fn enter(&self) {
        let f = std::fs::File::open(format!("/run/netns/{}", self.name))
            .expect("namespace handle in /run/netns");
        // SAFETY: setns only changes the calling thread's network
        // namespace to the one `f` (an open namespace file) refers to.
        let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

// ---- the test's HTTP server ------------------------------------------------

/// A minimal HTTP/1.0 server on its own thread: `/big` is
/// [`big_page`], anything else is `token`. Stops on drop.
struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl HttpServer {
    fn start(token: String) -> HttpServer {
        let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).expect("bind HTTP server");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            let big = big_page();
            while !flag.load(Ordering::Acquire) {
                match listener.accept() {
                    Ok((conn, _)) => serve(conn, &token, &big),
                    // Polling keeps the loop stoppable without a wake-up
                    // connection; it paces nothing the test waits for.
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        HttpServer {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

fn serve(mut conn: TcpStream, token: &str, big: &[u8]) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(HTTP_TIMEOUT));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16384 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let body: &[u8] = if request.starts_with(b"GET /big ") {
        big
    } else {
        token.as_bytes()
    };
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// GET `path` from `addr`; the response body, or why not.
fn http_get(addr: SocketAddr, path: &str) -> Result<Vec<u8>, String> {
    let mut c = TcpStream::connect_timeout(&addr, HTTP_TIMEOUT).map_err(|e| e.to_string())?;
    c.set_read_timeout(Some(HTTP_TIMEOUT))
        .map_err(|e| e.to_string())?;
    c.write_all(format!("GET {path} HTTP/1.0\r\nHost: guest\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    c.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no HTTP response: {:?}", String::from_utf8_lossy(&response)))?;
    if !response.starts_with(b"HTTP/1.0 200") && !response.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "HTTP error: {:?}",
            String::from_utf8_lossy(&response[..split])
        ));
    }
    Ok(response[split + 4..].to_vec())
}

/// GET from a server the guest is starting: retried (a bounded number of
/// times) while the connection is refused or reset because the server
/// does not listen yet.
fn http_get_guest(vm: &mut Vireo, addr: SocketAddr, path: &str) -> Vec<u8> {
    let deadline = Instant::now() + HTTP_TIMEOUT;
    loop {
        match http_get(addr, path) {
            Ok(body) => return body,
            Err(e) if Instant::now() >= deadline => {
                panic!("GET http://{addr}{path} failed: {e}\n{}", vm.transcript())
            }
            Err(_) => thread::sleep(Duration::from_millis(200)),
        }
    }
}

// ---- the guest -------------------------------------------------------------

fn has_line(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

/// The DHCP client command: busybox udhcpc with the initramfs' event
/// script, or (if an older initramfs lacks it) a minimal one written now.
pub(crate) const UDHCPC: &str = "S=/etc/udhcpc/default.script; [ -x $S ] || { S=/tmp/dhcp.sh; \
printf '#!/bin/sh\\ncase $1 in deconfig) ip link set $interface up;; bound) ip addr add $ip/$mask dev $interface; ip route add default via $router;; esac\\n' >$S; \
chmod +x $S; }; udhcpc -i eth0 -n -q -t 5 -s $S";

#[test]
fn guest_networks_through_user_mode_nat_port_forwards_and_tap() {
    let (kernel, initrd) = crate::linux::guest_files().clone();
    let ns = NetNs::create();
    // Everything from here on runs in the namespace, on this thread.
    let body = thread::spawn(move || {
        ns.enter();
        run_network_test(&kernel, &initrd);
        ns
    });
    match body.join() {
        Ok(ns) => drop(ns),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn run_network_test(kernel: &Path, initrd: &Path) {
    // Arrange: a host server, a free host port for the forward, the VM.
    let token = format!("vireo-host-page-{}", std::process::id());
    let server = HttpServer::start(token.clone());
    let fwd_port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let user = format!("user,hostfwd=tcp::{fwd_port}-:{GUEST_HTTP_PORT}");
    let tap = format!("tap=vtap0,mac={TAP_MAC}");
    let mut vm = Vireo::spawn(&[
        "run",
        "--kernel",
        kernel.to_str().expect("path"),
        "--initrd",
        initrd.to_str().expect("path"),
        "--append",
        CMDLINE,
        "--net",
        &user,
        "--net",
        &tap,
    ]);
    vm.wait_for(BANNER);
    vm.wait_for(PROMPT);

    // Act and assert: the cards and their MACs.
    let macs = vm.shell("cat /sys/class/net/eth0/address /sys/class/net/eth1/address");
    assert_eq!(
        macs,
        vec!["52:54:00:12:34:56".to_string(), TAP_MAC.to_string()],
        "{}",
        vm.transcript()
    );

    // DHCP on the user-mode card.
    let lease = vm.shell(UDHCPC);
    let addr = vm.shell("ip -4 addr show eth0; ip route");
    assert!(
        has_line(&lease, "lease of 10.0.2.15 obtained from 10.0.2.2"),
        "{}",
        vm.transcript()
    );
    assert!(has_line(&addr, "inet 10.0.2.15/24"), "{}", vm.transcript());
    assert!(
        has_line(&addr, "default via 10.0.2.2"),
        "{}",
        vm.transcript()
    );

    // Guest → host loopback through the gateway: a small and a large page.
    let port = server.port;
    let page = vm.shell(&format!("wget -q -T 30 -O - http://10.0.2.2:{port}/"));
    let big = vm.shell(&format!(
            "wget -q -T 60 -O /tmp/big http://10.0.2.2:{port}/big; wc -c </tmp/big; sed -n '1p;12345p;$p' /tmp/big"
        ),
    );
    assert_eq!(page, vec![token.clone()], "{}", vm.transcript());
    let big_len = BIG_LINES * 18;
    assert_eq!(
        big,
        vec![
            big_len.to_string(),
            "vireo-line-000000".to_string(),
            "vireo-line-012344".to_string(),
            format!("vireo-line-{:06}", BIG_LINES - 1),
        ],
        "{}",
        vm.transcript()
    );

    // Host → guest through the port forward.
    vm.shell(&format!(
            "mkdir -p /www && echo vireo-guest-page >/www/index.html && cp /tmp/big /www/big && httpd -p {GUEST_HTTP_PORT} -h /www"
        ),
    );
    let fwd: SocketAddr = (Ipv4Addr::LOCALHOST, fwd_port).into();
    let guest_page = http_get_guest(&mut vm, fwd, "/index.html");
    let guest_big = http_get_guest(&mut vm, fwd, "/big");
    assert_eq!(guest_page, b"vireo-guest-page\n");
    assert!(
        guest_big == big_page(),
        "the large page through hostfwd is intact"
    );

    // The TAP card: both directions again, bridged to the namespace.
    let tap_up = vm.shell(&format!("ip link set eth1 up && ip addr add {TAP_GUEST_IP}/24 dev eth1 && ping -c 1 -W 10 {TAP_HOST_IP}"),
    );
    assert!(
        has_line(&tap_up, "1 packets received"),
        "{}",
        vm.transcript()
    );
    let tap_page = vm.shell(&format!("wget -q -T 30 -O - http://{TAP_HOST_IP}:{port}/"));
    assert_eq!(tap_page, vec![token], "{}", vm.transcript());
    let guest_ip: Ipv4Addr = TAP_GUEST_IP.parse().expect("address");
    let over_tap = http_get_guest(&mut vm, (guest_ip, GUEST_HTTP_PORT).into(), "/index.html");
    assert_eq!(over_tap, b"vireo-guest-page\n");

    vm.send("poweroff -f");
    let status = vm.wait_exit();
    assert!(status.success(), "{}", vm.transcript());
    drop(server);
}

/// `--net` mistakes are refused before the guest starts, with a message
/// that says what to write instead.
#[test]
fn bad_net_options_are_refused_clearly() {
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy_port = busy.local_addr().expect("address").port();
    let kernel = crate::linux::guest_files().0.clone();
    let kernel = kernel.to_str().expect("path");
    let cases = [
        ("slirp".to_string(), "expected `user"),
        ("user,hostfwd=udp::53-:53".to_string(), "only tcp forwards"),
        ("user,mac=01:00:00:00:00:01".to_string(), "multicast"),
        (
            format!("user,hostfwd=tcp::{busy_port}-:80"),
            "pick another host port",
        ),
        ("tap=no/slash".to_string(), "invalid TAP interface name"),
    ];

    for (value, expected) in cases {
        let mut vm = Vireo::spawn(&["run", "--kernel", kernel, "--net", &value])
            .with_watchdog(Duration::from_secs(60));
        let status = vm.wait_exit();

        assert_eq!(status.code(), Some(2), "--net {value}\n{}", vm.transcript());
        assert!(
            vm.stderr().contains(expected),
            "--net {value}: stderr lacks {expected:?}\n{}",
            vm.transcript()
        );
    }
    drop(busy);
}
