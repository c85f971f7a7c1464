#!/usr/bin/env bash
# TCP throughput over user-mode networking, vireo vs qemu-system-riscv64, in
# one run: both boot the Debian kernel and initramfs from guest/provision.sh
# into a COPY of the root disk (guest/out/rootfs.ext4 itself is never
# written), configure eth0 with udhcpc and start `iperf3 -s` in the guest;
# the host's iperf3 client reaches it through a hostfwd port forward
# (127.0.0.1:PORT -> guest :5201) for 5 s each way:
#   host->guest   iperf3 -c 127.0.0.1 -p PORT -t 5
#   guest->host   iperf3 -c 127.0.0.1 -p PORT -t 5 -R
# The guest console is driven through stdin/stdout by a small python driver.
# Prints Mbit/s (receiver side) and the ratios.
#
#   bench/net.sh [CPUS]     # default 1 vCPU
#
# Needs: qemu-system-misc (with its OpenSBI), iperf3 on the host, python3,
# a provisioned guest.
set -euo pipefail
cd "$(dirname "$0")/.."
cpus=${1:-1}
command -v iperf3 >/dev/null || { echo "bench/net.sh: iperf3 is missing on the host (apt-get install iperf3)" >&2; exit 1; }
command -v qemu-system-riscv64 >/dev/null || { echo "bench/net.sh: qemu-system-riscv64 is missing (apt-get install qemu-system-misc)" >&2; exit 1; }
[ -f guest/out/rootfs.ext4 ] || ./guest/provision.sh
cargo build --release -q -p vireo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
append="console=ttyS0 root=LABEL=vireo-root"
kernel=guest/out/Image
initrd=guest/out/initrd.cpio.gz
cp --sparse=always guest/out/rootfs.ext4 "$out/root-vireo.ext4"
cp --sparse=always guest/out/rootfs.ext4 "$out/root-qemu.ext4"
python3 - "$out" <<PY || { echo "bench/net.sh: failed; console logs kept in $out" >&2; trap - EXIT; exit 1; }
import json, os, select, socket, subprocess, sys, time
out = sys.argv[1]

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

port = free_port()
VMMS = {
    "vireo": ["target/release/vireo", "run", "-m", "512M", "--cpus", "$cpus",
              "--kernel", "$kernel", "--initrd", "$initrd", "--append", "$append",
              "--drive", f"file={out}/root-vireo.ext4,format=raw",
              "--net", f"user,hostfwd=tcp::{port}-:5201"],
    "qemu": ["qemu-system-riscv64", "-M", "virt", "-m", "512M", "-smp", "$cpus",
             "-nographic", "-monitor", "none", "-serial", "stdio",
             "-kernel", "$kernel", "-initrd", "$initrd", "-append", "$append",
             "-drive", f"file={out}/root-qemu.ext4,if=none,format=raw,id=d0",
             "-device", "virtio-blk-device,drive=d0",
             "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:5201",
             "-device", "virtio-net-device,netdev=n0"],
}

class Guest:
    def __init__(self, name, argv):
        self.name = name
        self.log = open(f"{out}/{name}.log", "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
    def expect(self, pat, timeout):
        pat = pat.encode()
        end = time.time() + timeout
        while pat not in self.buf:
            left = end - time.time()
            if left <= 0 or self.p.poll() is not None:
                sys.exit(f"bench/net.sh: {self.name}: no {pat!r} (see the console log in {out}/{self.name}.log)")
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 1))
            if r:
                d = os.read(self.p.stdout.fileno(), 65536)
                self.log.write(d); self.log.flush()
                self.buf += d
        i = self.buf.index(pat) + len(pat)
        text, self.buf = self.buf[:i], self.buf[i:]
        return text.decode(errors="replace")
    def send(self, line):
        self.p.stdin.write(line.encode() + b"\n"); self.p.stdin.flush()
    def run(self, cmd, timeout=120):
        # The marker is split in the command line, so the echoed command
        # does not match it: output is what lies between BEGIN and END.
        self.send(f"echo @@BE''GIN@@; {cmd}; echo @@EN''D@@")
        self.expect("@@BEGIN@@", timeout)
        return self.expect("@@END@@", timeout)[:-len("@@END@@")]
    def close(self):
        try:
            self.send("poweroff -f")
            self.p.wait(30)
        except Exception:
            self.p.kill(); self.p.wait()

def iperf(name, extra):
    # The forward may accept before the guest server is up: retry a few times.
    for attempt in range(5):
        r = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", "5", "-J"] + extra,
                           capture_output=True, text=True, timeout=120)
        try:
            j = json.loads(r.stdout)
        except ValueError:
            j = {"error": r.stdout + r.stderr}
        if "error" not in j:
            return j["end"]["sum_received"]["bits_per_second"] / 1e6
        err = j["error"]
        time.sleep(2)
    sys.exit(f"bench/net.sh: {name}: iperf3 {' '.join(extra)} failed: {err}")

res = {}
for name, argv in VMMS.items():
    print(f"{name}: booting", file=sys.stderr)
    g = Guest(name, argv)
    g.expect("vireo guest ready:", 600)
    g.expect("vireo:/# ", 120)
    text = g.run("udhcpc -i eth0 -n -q >/dev/null 2>&1; ip -4 addr show eth0 | grep inet")
    if "10.0.2.15" not in text:
        sys.exit(f"bench/net.sh: {name}: udhcpc did not configure eth0:\n{text}")
    g.run("iperf3 -s -D")
    time.sleep(1)
    print(f"{name}: iperf3 host->guest", file=sys.stderr)
    h2g = iperf(name, [])
    print(f"{name}: iperf3 guest->host (-R)", file=sys.stderr)
    g2h = iperf(name, ["-R"])
    g.close()
    res[name] = {"host->guest": h2g, "guest->host": g2h}

v, q = res["vireo"], res["qemu"]
print(f"{'TCP Mbit/s':18}{'vireo':>12}{'qemu':>12}{'vireo/qemu':>12}")
for k in ("host->guest", "guest->host"):
    print(f"{k:18}{v[k]:12.1f}{q[k]:12.1f}{v[k] / q[k]:12.2f}")
PY
