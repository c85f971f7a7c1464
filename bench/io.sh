#!/usr/bin/env bash
# Disk I/O inside the guest, vireo vs qemu-system-riscv64, in one run: both
# boot the Debian kernel and initramfs from guest/provision.sh into a COPY of
# the root disk (guest/out/rootfs.ext4 itself is never written) with a second,
# empty raw scratch drive, and run fio on the scratch drive with direct=1:
#   seqread / seqwrite   1 MiB blocks over 64 MiB (psync, queue depth 1)
#   randread             4 KiB random reads for 10 s (psync, queue depth 1)
# The guest console is driven through stdin/stdout by a small python driver
# (waits for the prompt and for markers). Prints MB/s, IOPS and the ratios.
#
#   bench/io.sh [CPUS]     # default 1 vCPU
#
# Needs: qemu-system-misc (with its OpenSBI), python3, a provisioned guest.
set -euo pipefail
cd "$(dirname "$0")/.."
cpus=${1:-1}
command -v qemu-system-riscv64 >/dev/null || { echo "bench/io.sh: qemu-system-riscv64 is missing (apt-get install qemu-system-misc)" >&2; exit 1; }
[ -f guest/out/rootfs.ext4 ] || ./guest/provision.sh
cargo build --release -q -p vireo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
append="console=ttyS0 root=LABEL=vireo-root"
kernel=guest/out/Image
initrd=guest/out/initrd.cpio.gz
# Fresh root copy and scratch drive for each VMM.
prep() {
    cp --sparse=always guest/out/rootfs.ext4 "$out/root-$1.ext4"
    truncate -s 256M "$out/scratch-$1.raw"
}
prep vireo
prep qemu
python3 - "$out" <<PY || { echo "bench/io.sh: failed; console logs kept in $out" >&2; trap - EXIT; exit 1; }
import json, os, select, subprocess, sys, time
out = sys.argv[1]
VMMS = {
    "vireo": ["target/release/vireo", "run", "-m", "512M", "--cpus", "$cpus",
              "--kernel", "$kernel", "--initrd", "$initrd", "--append", "$append",
              "--drive", f"file={out}/root-vireo.ext4,format=raw",
              "--drive", f"file={out}/scratch-vireo.raw,format=raw"],
    "qemu": ["qemu-system-riscv64", "-M", "virt", "-m", "512M", "-smp", "$cpus",
             "-nographic", "-monitor", "none", "-serial", "stdio",
             "-kernel", "$kernel", "-initrd", "$initrd", "-append", "$append",
             "-drive", f"file={out}/root-qemu.ext4,if=none,format=raw,id=d0",
             "-device", "virtio-blk-device,drive=d0",
             "-drive", f"file={out}/scratch-qemu.raw,if=none,format=raw,id=d1",
             "-device", "virtio-blk-device,drive=d1"],
}
FIO = "fio --output-format=terse --terse-version=3 --direct=1 --ioengine=psync --filename=\$S --name="
JOBS = {
    "seqwrite": FIO + "seqwrite --rw=write --bs=1M --size=64M",
    "seqread": FIO + "seqread --rw=read --bs=1M --size=64M",
    "randread": FIO + "randread --rw=randread --bs=4k --size=64M --time_based --runtime=10",
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
                sys.exit(f"bench/io.sh: {self.name}: no {pat!r} (see the console log in {out}/{self.name}.log)")
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
    def run(self, cmd, timeout=300):
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

res = {}
for name, argv in VMMS.items():
    print(f"{name}: booting", file=sys.stderr)
    g = Guest(name, argv)
    g.expect("vireo guest ready:", 600)
    g.expect("vireo:/# ", 120)
    # The scratch drive is the virtio disk that is not mounted.
    dev = g.run("for d in /dev/vd?; do grep -q \"^\$d \" /proc/mounts || echo SCRATCH=\$d; done")
    dev = [l.split("=", 1)[1].strip() for l in dev.splitlines() if l.startswith("SCRATCH=")]
    if len(dev) != 1:
        sys.exit(f"bench/io.sh: {name}: cannot find the scratch drive ({dev})")
    g.run(f"S={dev[0]}")
    r = {}
    for job, cmd in JOBS.items():
        print(f"{name}: fio {job} on {dev[0]}", file=sys.stderr)
        text = g.run(cmd)
        line = [l for l in text.splitlines() if l.startswith("3;")]
        if not line:
            sys.exit(f"bench/io.sh: {name}: fio {job} failed:\n{text}")
        f = line[0].strip().split(";")
        # terse v3: read bw KiB/s, iops at 7, 8; write at 48, 49 (1-based)
        bw, iops = (f[47], f[48]) if job == "seqwrite" else (f[6], f[7])
        r[job] = (float(bw) * 1024 / 1e6, float(iops))
    g.close()
    res[name] = r

v, q = res["vireo"], res["qemu"]
print(f"{'':18}{'vireo':>12}{'qemu':>12}{'vireo/qemu':>12}")
for job, unit, k in (("seqread", "MB/s", 0), ("seqwrite", "MB/s", 0), ("randread", "IOPS", 1)):
    a, b = v[job][k], q[job][k]
    print(f"{job + ' ' + unit:18}{a:12.1f}{b:12.1f}{a / b:12.2f}")
PY
