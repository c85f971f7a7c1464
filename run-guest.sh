#!/usr/bin/env bash
# Build vireo, provision the Debian guest if needed, and boot it to a shell.
# Extra arguments are passed to `vireo run` (e.g. --cpus 4 --mem 1G).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release -p vireo
if [ ! -f guest/out/Image ] || [ ! -f guest/out/initrd.cpio.gz ]; then
    ./guest/provision.sh
fi
exec target/release/vireo run --kernel guest/out/Image --initrd guest/out/initrd.cpio.gz \
    --append "console=ttyS0" "$@"
