#!/usr/bin/env bash
# Speed on a bare-metal integer loop, vireo (its JIT, the default, and its
# interpreter) vs qemu-system-riscv64, in one run. Prints wall times
# (hyperfine medians), MIPS, and the ratios to QEMU.
#
#   bench/mips.sh            # builds vireo (release) if needed
#
# Needs: binutils-riscv64-unknown-elf, qemu-system-misc, hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in riscv64-unknown-elf-as qemu-system-riscv64 hyperfine; do
    command -v "$tool" >/dev/null || { echo "bench/mips.sh: $tool is missing (apt-get install binutils-riscv64-unknown-elf qemu-system-misc hyperfine)" >&2; exit 1; }
done
cargo build --release -q -p vireo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
riscv64-unknown-elf-as -march=rv64gc -o "$out/intloop.o" bench/baremetal/intloop.S
riscv64-unknown-elf-ld -T tests/asm/link.ld -o "$out/intloop.elf" "$out/intloop.o"
# Instructions executed: 4 setup + 10 per iteration x 50M + 3 exit.
insns=500000007
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$out/r.json" \
    -n vireo "target/release/vireo run --bios none -m 128M --kernel $out/intloop.elf" \
    -n vireo-interp "target/release/vireo run --engine interp --bios none -m 128M --kernel $out/intloop.elf" \
    -n qemu "qemu-system-riscv64 -M virt -bios none -m 128M -nographic -monitor none -serial null -kernel $out/intloop.elf" >&2
python3 - "$out/r.json" "$insns" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
q = r["qemu"]["median"]
for name in ("vireo", "vireo-interp"):
    v = r[name]["median"]
    print(f"{name + ':':14}{v:.3f} s  {n / v / 1e6:.0f} MIPS  ({name}/qemu speed ratio {q / v:.2f})")
print(f"{'qemu:':14}{q:.3f} s  {n / q / 1e6:.0f} MIPS")
PY
