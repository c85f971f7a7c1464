#!/usr/bin/env bash
# Linux boot time, vireo vs qemu-system-riscv64, in one run: the Debian
# kernel and busybox initramfs from guest/provision.sh boot to userspace
# (/init prints its banner) and power off at once (vireo.poweroff=1).
#
# The two run in turn (vireo, qemu, vireo, qemu, ...: interleaved pairs),
# so that a change in the machine's load hits both alike; prints each
# one's median and the median of the per-pair ratios.
#
#   bench/boot.sh [CPUS]     # default 1 vCPU; RUNS=n pairs (default 6)
#
# Needs: qemu-system-misc (with its OpenSBI), a provisioned guest.
set -euo pipefail
cd "$(dirname "$0")/.."
cpus=${1:-1}
command -v qemu-system-riscv64 >/dev/null || { echo "bench/boot.sh: qemu-system-riscv64 is missing (apt-get install qemu-system-misc)" >&2; exit 1; }
[ -f guest/out/Image ] || ./guest/provision.sh
cargo build --release -q -p vireo
python3 - "$cpus" "${RUNS:-6}" <<'PY'
import statistics, subprocess, sys, time
cpus, runs = sys.argv[1], int(sys.argv[2])
append = "console=ttyS0 quiet vireo.poweroff=1"
cmds = {
    "vireo": ["target/release/vireo", "run", "-m", "512M", "--cpus", cpus,
              "--kernel", "guest/out/Image", "--initrd", "guest/out/initrd.cpio.gz",
              "--append", append],
    "qemu": ["qemu-system-riscv64", "-M", "virt", "-m", "512M", "-smp", cpus,
             "-nographic", "-monitor", "none", "-serial", "null",
             "-kernel", "guest/out/Image", "--initrd", "guest/out/initrd.cpio.gz",
             "-append", append],
}

def once(name):
    t0 = time.perf_counter()
    r = subprocess.run(cmds[name], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    t = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"bench/boot.sh: {name} exited with {r.returncode}")
    return t

for name in cmds:  # warm-up: page cache, CPU frequency
    once(name)
times = {name: [] for name in cmds}
for i in range(runs):
    for name in cmds:
        times[name].append(once(name))
    print(f"pair {i + 1}/{runs}: vireo {times['vireo'][-1]:.2f} s, "
          f"qemu {times['qemu'][-1]:.2f} s", file=sys.stderr)
v, q = statistics.median(times["vireo"]), statistics.median(times["qemu"])
ratio = statistics.median(a / b for a, b in zip(times["vireo"], times["qemu"]))
print(f"vireo boot: {v:.2f} s (median of {runs})")
print(f"qemu boot:  {q:.2f} s")
print(f"vireo/qemu time ratio: {ratio:.2f} (median of the {runs} interleaved pairs)")
PY
