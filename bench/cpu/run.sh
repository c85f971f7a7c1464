#!/bin/sh
# The workloads of bench/cpu.sh, run one after the other with the same
# command lines natively (x86-64 binaries) and inside the guests (riscv64
# binaries, busybox sh). POSIX sh only: it runs under busybox too.
#
#   sh bench/cpu/run.sh BINDIR DATADIR TMPDIR PARAMS
#
# PARAMS is a file of shell assignments (written by bench/cpu.sh):
#   LUA_N   argument of fib.lua (recursive fib(LUA_N))
#   DD_BYTES  bytes copied by dd bs=1
#   ONLY    optional space-separated list of workloads to run
# The data files (text, audio.wav, mem.zst, fib.lua) are in DATADIR.
#
# For each workload it prints one line
#   CPUBENCH <name> <seconds> <exit status> <check>
# where <check> identifies the output (md5 of the output file, or the
# result the program printed) so that runs can be compared.
B=$1 D=$2 T=$3
. "$4"

# Wall clock with nanoseconds where date has %N (GNU date, Debian's
# busybox), else /proc/uptime (10 ms).
if date +%s.%N 2>/dev/null | grep -q '^[0-9]*\.[0-9]\{9\}$'; then
    now() { date +%s.%N; }
else
    now() { read -r u _ </proc/uptime; echo "$u"; }
fi
want() { [ -z "$ONLY" ] || case " $ONLY " in *" $1 "*) true ;; *) false ;; esac; }
report() { echo "CPUBENCH $1 $(awk "BEGIN { printf \"%.3f\", $3 - $2 }") $4 $5"; }
md5() { md5sum "$1" | cut -d' ' -f1; }

if want bzip2; then
    t0=$(now); "$B/bzip2" -9 -c "$D/text" >"$T/text.bz2"; rc=$?; t1=$(now)
    report bzip2 "$t0" "$t1" $rc "$(md5 "$T/text.bz2")"
    rm -f "$T/text.bz2"
fi
if want lame; then
    t0=$(now); "$B/lame" --quiet "$D/audio.wav" "$T/audio.mp3"; rc=$?; t1=$(now)
    report lame "$t0" "$t1" $rc "$(md5 "$T/audio.mp3")"
    rm -f "$T/audio.mp3"
fi
if want zstd; then
    # zstd verifies the frame's content checksum (XXH64) as it decompresses.
    t0=$(now); "$B/zstd" -d -q -c "$D/mem.zst" >/dev/null; rc=$?; t1=$(now)
    report zstd "$t0" "$t1" $rc -
fi
if want lua; then
    t0=$(now); "$B/lua" "$D/fib.lua" "$LUA_N" >"$T/lua.out"; rc=$?; t1=$(now)
    # fib.lua prints "plain n value time evals": keep the value.
    report lua "$t0" "$t1" $rc "$(awk '$1 == "plain" { print $3 }' "$T/lua.out")"
    rm -f "$T/lua.out"
fi
if want dd; then
    t0=$(now); "$B/dd" if=/dev/zero of=/dev/null bs=1 count="$DD_BYTES" status=none; rc=$?; t1=$(now)
    report dd "$t0" "$t1" $rc -
fi
echo "CPUBENCH done"
