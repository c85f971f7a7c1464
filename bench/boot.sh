#!/usr/bin/env bash
# Linux boot time, vireo vs qemu-system-riscv64, in one run: the Debian
# kernel and busybox initramfs from guest/provision.sh boot to userspace
# (/init prints its banner) and power off at once (vireo.poweroff=1).
# Prints hyperfine medians and the ratio.
#
#   bench/boot.sh [CPUS]     # default 1 vCPU
#
# Needs: qemu-system-misc (with its OpenSBI), hyperfine, a provisioned guest.
set -euo pipefail
cd "$(dirname "$0")/.."
cpus=${1:-1}
command -v hyperfine >/dev/null || { echo "bench/boot.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
[ -f guest/out/Image ] || ./guest/provision.sh
cargo build --release -q -p vireo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
append="console=ttyS0 quiet vireo.poweroff=1"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$out/r.json" \
    -n vireo "target/release/vireo run -m 512M --cpus $cpus --kernel guest/out/Image --initrd guest/out/initrd.cpio.gz --append '$append' </dev/null >/dev/null" \
    -n qemu "qemu-system-riscv64 -M virt -m 512M -smp $cpus -nographic -monitor none -serial null -kernel guest/out/Image --initrd guest/out/initrd.cpio.gz -append '$append' </dev/null" >&2
python3 - "$out/r.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
v, q = r["vireo"]["median"], r["qemu"]["median"]
print(f"vireo boot: {v:.2f} s")
print(f"qemu boot:  {q:.2f} s")
print(f"vireo/qemu time ratio: {v / q:.2f}")
PY
