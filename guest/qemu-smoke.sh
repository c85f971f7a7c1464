#!/usr/bin/env bash
# guest/qemu-smoke.sh — boot the provisioned guest in qemu-system-riscv64
# (the reference peer), wait for the /init banner, type commands into the
# guest shell, power off, and report how long the boot took.
#
# Usage: guest/qemu-smoke.sh [--smp N] [--mem SIZE] [--append ARGS]
#                            [--timeout SECONDS] [--qemu-arg ARG]... [COMMAND]...
# Without COMMANDs it runs `echo hello` and counts the CPUs in /proc/cpuinfo.
# The full console log is kept in guest/out/qemu-smoke.log.
# Exit status: 0 when the banner appeared and the commands' end marker was
# printed, 1 otherwise (timeout, kernel panic, ...).

set -euo pipefail

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR="$GUEST_DIR/out"
BANNER="vireo guest ready"
SMP=1
MEM=512M
APPEND=""
TIMEOUT=120
QEMU_ARGS=()
CMDS=()

while (($#)); do
    case "$1" in
    --smp) SMP=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    --append) APPEND=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --qemu-arg) QEMU_ARGS+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) CMDS+=("$1"); shift ;;
    esac
done
((${#CMDS[@]})) || CMDS=("echo hello" "grep -c ^processor /proc/cpuinfo")

for f in Image initrd.cpio.gz; do
    [[ -f "$OUT_DIR/$f" ]] || { echo "qemu-smoke: $OUT_DIR/$f is missing; run guest/provision.sh first" >&2; exit 1; }
done
command -v qemu-system-riscv64 >/dev/null ||
    { echo "qemu-smoke: qemu-system-riscv64 is not installed (Debian package qemu-system-misc)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vireo-smoke.XXXXXX")
LOG="$OUT_DIR/qemu-smoke.log"
QPID=""
cleanup() {
    [[ -n "$QPID" ]] && kill "$QPID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkfifo "$WORK/in"
: >"$LOG"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

T0=$(now)
qemu-system-riscv64 -M virt -m "$MEM" -smp "$SMP" -display none -monitor none \
    -serial stdio -kernel "$OUT_DIR/Image" -initrd "$OUT_DIR/initrd.cpio.gz" \
    -append "console=ttyS0 $APPEND" "${QEMU_ARGS[@]}" <"$WORK/in" >"$LOG" 2>&1 &
QPID=$!
exec 3>"$WORK/in"

# Wait for the banner (or QEMU's death, or the timeout).
BOOT=""
while :; do
    if grep -q "$BANNER" "$LOG"; then
        BOOT=$(elapsed "$T0")
        break
    fi
    kill -0 "$QPID" 2>/dev/null || break
    if grep -q "Kernel panic" "$LOG"; then break; fi
    [[ "$(elapsed "$T0" | cut -d. -f1)" -ge "$TIMEOUT" ]] && break
    sleep 0.05
done

status=1
if [[ -n "$BOOT" ]]; then
    sleep 0.5 # let the shell reach its prompt
    for c in "${CMDS[@]}"; do printf '%s\n' "$c" >&3; done
    printf 'echo smoke-""done\npoweroff -f\n' >&3
    while kill -0 "$QPID" 2>/dev/null; do
        [[ "$(elapsed "$T0" | cut -d. -f1)" -ge "$TIMEOUT" ]] && break
        sleep 0.1
    done
    grep -q "smoke-done" "$LOG" && status=0
fi
exec 3>&-
if kill -0 "$QPID" 2>/dev/null; then
    kill "$QPID" 2>/dev/null || true
    echo "qemu-smoke: QEMU still running after ${TIMEOUT}s; killed" >&2
fi
wait "$QPID" 2>/dev/null || true
QPID=""

cat "$LOG"
echo "----"
if [[ -n "$BOOT" ]]; then
    echo "qemu-smoke: banner after ${BOOT}s wall (-smp $SMP), $(grep -o 'uptime [0-9.]*s' "$LOG" | head -n1) in the guest"
else
    echo "qemu-smoke: the banner '$BANNER' did not appear (log: $LOG)"
fi
echo "qemu-smoke: total $(elapsed "$T0")s, $([[ $status -eq 0 ]] && echo PASS || echo FAIL)"
exit $status
