#!/usr/bin/env bash
# VM lifecycle figures, all measured on vireo in one run:
#   1. restore latency for 256 MiB, 1 GiB and 4 GiB guests, side by side
#      with qemu-system-riscv64 restoring the same guest (request to the
#      first guest instruction, and the load alone), median of RUNS
#      restores each: it must stay flat as RAM grows;
#   2. 20 clones of one template snapshot (512 MiB guest): time to start
#      them all, and host memory (sum of RSS and PSS, and the drop in the
#      host's MemAvailable) against 20 x guest RAM;
#   3. the VMM's memory overhead of an idle guest beyond its RAM (RSS of
#      every mapping except guest RAM).
#
#   bench/lifecycle.sh            # RUNS=10 CLONES=20 by default
#
# Needs: a provisioned guest (guest/provision.sh), python3, qemu-system-misc
# (the restore reference: QEMU loading a saved VM with -incoming).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f guest/out/Image ] || ./guest/provision.sh
cargo build --release -q -p vireo
exec python3 bench/lifecycle.py
