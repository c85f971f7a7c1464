#!/usr/bin/env bash
# Guest CPU speed (issue 5 suite): five real programs, each built from the
# same Debian trixie source package with the same GCC version and flags for
# x86-64 (the host) and riscv64 (Debian's cross compiler), statically
# linked, run natively, inside a vireo Linux guest and inside
# qemu-system-riscv64, in one run. Prints each program's times, the speed
# ratios vireo/native (= native time / vireo time), qemu/native and
# vireo/qemu, and their geometric means.
#
#   program  kind                   source (Debian trixie)  workload (default size)
#   bzip2    integer                bzip2 1.0.8-6           bzip2 -9 of BZIP2_MB (16) MiB of generated text
#   lame     floating point         lame 3.100-6            MP3-encode (128 kbit/s CBR) LAME_SECS (60) s of a
#                                                           generated 44.1 kHz stereo WAV
#   zstd     memory-bound           libzstd 1.5.7+dfsg-1    zstd -d of ZSTD_MB (1024) MiB built from 256-2303 byte
#                                                           copies of random earlier offsets, compressed with
#                                                           --long=27: random-access copies in a 128 MiB window
#   lua      interpretive/branchy   lua5.1 5.1.5-11         lua test/fib.lua LUA_N (33): Lua's own test script,
#                                                           naive recursive Fibonacci in the bytecode interpreter
#   dd       system calls           coreutils 9.7-3         dd if=/dev/zero of=/dev/null bs=1 count=DD_BYTES
#                                                           (2000000): two syscalls per byte
# (the versions are the ones measured; the script takes whatever trixie has)
#
# The inputs are generated deterministically by bench/cpu/gen.py; the same
# runner, bench/cpu/run.sh, times every program natively and in the guests
# (wall clock read around each command: GNU date natively, /proc/uptime
# with 10 ms resolution in the guests). The guests boot the Debian kernel
# (guest/out/Image) with the busybox initramfs from guest/provision.sh plus
# an uncompressed cpio holding the riscv64 binaries and inputs, 1 vCPU and
# 1 GiB each; guest/init runs /bin/cpubench (vireo.cmd=cpubench) and powers
# off. vireo uses its built-in SBI, QEMU (-M virt) the OpenSBI it loads by
# default.
#
#   bench/cpu.sh                      # build what is missing, run everything
#   SIZE=4 bench/cpu.sh               # every workload 4x larger
#   BZIP2_MB=32 LUA_N=34 bench/cpu.sh # per-program sizes (defaults above)
#   ONLY="bzip2 lua" bench/cpu.sh     # a subset
#   SKIP="qemu" bench/cpu.sh          # leave out native, vireo or qemu
#   VIREO=path/to/vireo bench/cpu.sh  # a prebuilt vireo (default: cargo build)
#   NATIVE_RUNS=5 bench/cpu.sh        # native runs (median; default 3); the
#                                     # guests run each program once
#   TIMEOUT=600 bench/cpu.sh          # limit per VMM run in s (default 3600)
#
# With the defaults a whole run takes about 8 minutes on the 2-core
# development machine (vireo's interpreter about 5 of them); the first run
# also fetches and builds everything (about 5 minutes).
#
# Sources come from Debian trixie through a private apt configuration under
# bench/cpu/out/apt (own sources.list with deb-src, lists and cache; the
# host's apt setup is never read or changed). lua5.1 is built from the
# upstream tarball of its source package (apt-get source --tar-only),
# without Debian's patches: the archive mirror used here does not serve its
# .dsc and .debian.tar.xz (404), and the plain upstream source needs
# nothing from them. The others are unpacked with their Debian patches
# (apt-get source). Everything built lands in bench/cpu/out
# (gitignored) and is reused by later runs.
#
# Compiler and flags: the host's gcc (x86_64-linux-gnu-gcc-N) and
# riscv64-linux-gnu-gcc-N of the same full version, CFLAGS="-O2" and
# LDFLAGS="-static" for both (default -march: x86-64 baseline, rv64gc).
# Architecture-specific code paths that the programs would pick by
# themselves are switched off so both run the same C code: zstd's x86-64
# assembly, BMI2 dispatch and SSE2 intrinsics (-DZSTD_DISABLE_ASM
# -DDYNAMIC_BMI2=0 -DZSTD_NO_INTRINSICS), and lame's x86-only SSE
# quantizer and IEEE-754 log/rounding shortcuts (removed from its config.h).
#
# Needs (Debian packages): gcc gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
# make dpkg-dev (dpkg-source) xz-utils cpio python3 qemu-system-misc
# debian-archive-keyring, network access to the Debian archive on the first
# run, a provisioned guest (guest/provision.sh) and a vireo build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/cpu/out
APT_ROOT=$OUT/apt
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-trixie}
KEYRING=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
CFLAGS_ALL="-O2"
LDFLAGS_ALL="-static"
ARCHES=(x86_64 riscv64)
PROGRAMS=(bzip2 lame zstd lua dd)

# Workload sizes: SIZE scales all of them (lua: fib(n) work grows by 1.618
# per step of n, so SIZE adds round(log(SIZE)/log(1.618)) to LUA_N).
SIZE=${SIZE:-1}
scale() { python3 -c "import sys; print(max(1, round(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$SIZE"; }
BZIP2_MB=${BZIP2_MB:-$(scale 16)}
LAME_SECS=${LAME_SECS:-$(scale 60)}
ZSTD_MB=${ZSTD_MB:-$(scale 1024)}
DD_BYTES=${DD_BYTES:-$(scale 2000000)}
LUA_N=${LUA_N:-$(python3 -c "import math, sys; print(33 + round(math.log(float(sys.argv[1])) / math.log(1.618)))" "$SIZE")}
ONLY=${ONLY:-}
SKIP=${SKIP:-}
TIMEOUT=${TIMEOUT:-3600}
NATIVE_RUNS=${NATIVE_RUNS:-3}

log() { printf '[cpu] %s\n' "$*" >&2; }
die() {
    printf '[cpu] error: %s\n' "$*" >&2
    exit 1
}
need() { # need TOOL PACKAGE
    command -v "$1" >/dev/null || die "$1 is missing (apt-get install $2)"
}
skipped() { case " $SKIP " in *" $1 "*) true ;; *) false ;; esac; }

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------
for t in "make make" "apt-get apt" "dpkg-source dpkg-dev" "xz xz-utils" "cpio cpio" "python3 python3" "gcc gcc" "md5sum coreutils"; do
    need $t
done
[[ -r "$KEYRING" ]] || die "$KEYRING is missing (apt-get install debian-archive-keyring, or set DEBIAN_KEYRING)"
GCC_MAJOR=$(gcc -dumpversion)
GCC_MAJOR=${GCC_MAJOR%%.*}
declare -A CC AR RANLIB TRIPLE
TRIPLE[x86_64]=x86_64-linux-gnu
TRIPLE[riscv64]=riscv64-linux-gnu
for a in "${ARCHES[@]}"; do
    CC[$a]=${TRIPLE[$a]}-gcc-$GCC_MAJOR
    AR[$a]=${TRIPLE[$a]}-ar
    RANLIB[$a]=${TRIPLE[$a]}-ranlib
done
command -v "${CC[x86_64]}" >/dev/null || die "${CC[x86_64]} is missing (apt-get install gcc-$GCC_MAJOR)"
command -v "${CC[riscv64]}" >/dev/null ||
    die "${CC[riscv64]} is missing: the riscv64 cross compiler must be GCC $GCC_MAJOR like the host's gcc (apt-get install gcc-riscv64-linux-gnu libc6-dev-riscv64-cross, or gcc-$GCC_MAJOR-riscv64-linux-gnu)"
[[ -f /usr/riscv64-linux-gnu/lib/libc.a ]] || die "the riscv64 C library is missing (apt-get install libc6-dev-riscv64-cross)"
[[ -f /usr/lib/x86_64-linux-gnu/libc.a ]] || die "the static C library is missing (apt-get install libc6-dev)"
V_X86=$("${CC[x86_64]}" -dumpfullversion)
V_RV=$("${CC[riscv64]}" -dumpfullversion)
[[ "$V_X86" == "$V_RV" ]] || die "compiler versions differ: ${CC[x86_64]} $V_X86, ${CC[riscv64]} $V_RV"
if ! skipped qemu; then need qemu-system-riscv64 qemu-system-misc; fi
[[ -f guest/out/Image && -f guest/out/initrd.cpio.gz ]] || ./guest/provision.sh

mkdir -p "$OUT"/{src,build,bin,data,guest,tmp}
WORK=$(mktemp -d "$OUT/tmp/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------
# Sources (private apt configuration, deb-src for $SUITE)
# ---------------------------------------------------------------------------
setup_apt() {
    mkdir -p "$APT_ROOT"/etc/{apt.conf.d,preferences.d,sources.list.d,trusted.gpg.d} \
        "$APT_ROOT"/state/lists/partial "$APT_ROOT"/cache/archives/partial
    touch "$APT_ROOT/state/status"
    printf 'deb-src [signed-by=%s] %s %s main\n' "$KEYRING" "$MIRROR" "$SUITE" >"$APT_ROOT/etc/sources.list"
    cat >"$APT_ROOT/etc/apt.conf" <<EOF
Dir::Etc "$APT_ROOT/etc/";
Dir::Etc::main "apt.conf";
Dir::Etc::parts "apt.conf.d";
Dir::Etc::sourcelist "sources.list";
Dir::Etc::sourceparts "sources.list.d";
Dir::Etc::preferences "preferences";
Dir::Etc::preferencesparts "preferences.d";
Dir::Etc::trusted "trusted.gpg";
Dir::Etc::trustedparts "trusted.gpg.d";
Dir::State "$APT_ROOT/state/";
Dir::State::status "$APT_ROOT/state/status";
Dir::Cache "$APT_ROOT/cache/";
Acquire::Languages "none";
Acquire::Retries "3";
APT::Sandbox::User "root";
EOF
    export APT_CONFIG="$APT_ROOT/etc/apt.conf"
    if ! compgen -G "$APT_ROOT/state/lists/*_Sources*" >/dev/null; then
        log "fetching the $SUITE source package lists from $MIRROR"
        apt-get -q update >"$WORK/apt-update.log" 2>&1 && ! grep -Eq '^(W|E): ' "$WORK/apt-update.log" || {
            cat "$WORK/apt-update.log" >&2
            rm -f "$APT_ROOT"/state/lists/*_Sources*
            die "apt-get update (deb-src $SUITE) failed; see above"
        }
    fi
}

# src_version PKG: the source version apt would fetch.
src_version() {
    local v
    v=$(apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1)
    [[ -n "$v" ]] || die "source package $1 is not in $SUITE (rm -rf $APT_ROOT/state/lists to refresh the lists)"
    printf '%s\n' "$v"
}

# fetch_source PKG full|tar: unpack the source into $OUT/src/PKG-VERSION
# (once) and print that directory.
fetch_source() {
    local pkg=$1 mode=$2 ver upver dir
    ver=$(src_version "$pkg")
    upver=${ver#*:}
    upver=${upver%-*}
    dir=$OUT/src/$pkg-$ver
    if [[ ! -f "$dir/.done" ]]; then
        log "fetching source package $pkg $ver ($mode)"
        rm -rf "$dir" "$OUT/src/dl-$pkg"
        mkdir -p "$OUT/src/dl-$pkg"
        if [[ $mode == full ]]; then
            (cd "$OUT/src/dl-$pkg" && apt-get -q source --only-source "$pkg=$ver") >"$WORK/src.log" 2>&1 ||
                { cat "$WORK/src.log" >&2; die "apt-get source $pkg failed"; }
            local d
            d=$(find "$OUT/src/dl-$pkg" -mindepth 1 -maxdepth 1 -type d | head -n1)
            [[ -n "$d" ]] || die "apt-get source $pkg unpacked nothing"
            mv "$d" "$dir"
        else
            (cd "$OUT/src/dl-$pkg" && apt-get -q source --tar-only --only-source "$pkg=$ver") >"$WORK/src.log" 2>&1 ||
                { cat "$WORK/src.log" >&2; die "apt-get source --tar-only $pkg failed"; }
            local tarball
            tarball=$(find "$OUT/src/dl-$pkg" -name "*.orig.tar.*" | head -n1)
            [[ -n "$tarball" ]] || die "no upstream tarball for $pkg"
            mkdir -p "$dir"
            tar -xf "$tarball" -C "$dir" --strip-components=1
        fi
        rm -rf "$OUT/src/dl-$pkg"
        touch "$dir/.done"
    fi
    printf '%s\n' "$dir"
}

# ---------------------------------------------------------------------------
# Builds: $OUT/bin/ARCH/PROG, each from a fresh copy of the source tree
# ---------------------------------------------------------------------------
# fresh_tree SRC ARCH NAME: copy SRC to $OUT/build/ARCH/NAME; print the path.
fresh_tree() {
    local dst=$OUT/build/$2/$3
    rm -rf "$dst"
    mkdir -p "$OUT/build/$2"
    cp -a "$1" "$dst" || return
    printf '%s\n' "$dst"
}

# (The recipes run in an `if !` context, where set -e does not apply: each
# step ends in `|| return`.)
build_bzip2() { # ARCH SRC
    local a=$1 d
    d=$(fresh_tree "$2" "$a" bzip2) || return
    make -C "$d" -j2 libbz2.a bzip2.o CC="${CC[$a]}" AR="${AR[$a]}" RANLIB="${RANLIB[$a]}" \
        CFLAGS="$CFLAGS_ALL -D_FILE_OFFSET_BITS=64" || return
    # Linked as upstream's Makefile does (Debian's links the shared library).
    "${CC[$a]}" $CFLAGS_ALL $LDFLAGS_ALL -o "$OUT/bin/$a/bzip2" "$d/bzip2.o" "$d/libbz2.a"
}

build_zstd() {
    local a=$1 d
    d=$(fresh_tree "$2" "$a" zstd) || return
    make -C "$d/programs" -j2 zstd CC="${CC[$a]}" AR="${AR[$a]}" \
        CFLAGS="$CFLAGS_ALL" CPPFLAGS="-DZSTD_DISABLE_ASM -DDYNAMIC_BMI2=0 -DZSTD_NO_INTRINSICS" \
        LDFLAGS="$LDFLAGS_ALL" ZSTD_NO_ASM=1 HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0 HAVE_THREAD=0 ZSTD_LEGACY_SUPPORT=0 || return
    cp "$d/programs/zstd" "$OUT/bin/$a/zstd"
}

build_lua() {
    local a=$1 d
    d=$(fresh_tree "$2" "$a" lua) || return
    make -C "$d/src" -j2 lua CC="${CC[$a]}" AR="${AR[$a]} rc" RANLIB="${RANLIB[$a]}" \
        CFLAGS="$CFLAGS_ALL -DLUA_USE_POSIX" MYLDFLAGS="$LDFLAGS_ALL" || return
    cp "$d/src/lua" "$OUT/bin/$a/lua"
}

build_lame() {
    local a=$1 d
    d=$(fresh_tree "$2" "$a" lame) || return
    # Debian's patches touch configure.in and Makefile.am: the shipped
    # generated files are used (maintainer mode is off, so make does not
    # rerun autotools). No termcap (the x86-64 host may have ncurses).
    (cd "$d" && ./configure --host="${TRIPLE[$a]}" --build="$(gcc -dumpmachine)" \
        --disable-shared --enable-static --disable-gtktest --disable-decoder --with-fileio=lame \
        CC="${CC[$a]}" AR="${AR[$a]}" RANLIB="${RANLIB[$a]}" CFLAGS="$CFLAGS_ALL" LDFLAGS="$LDFLAGS_ALL" \
        ac_cv_header_termcap_h=no ac_cv_header_ncurses_termcap_h=no ac_cv_lib_termcap_initscr=no \
        ac_cv_lib_curses_initscr=no ac_cv_lib_ncurses_initscr=no) || return
    # The same C code on both: drop the x86-only SSE quantizer and IEEE-754
    # shortcuts that configure enables for x86-64 hosts only.
    sed -i -E '/#define (HAVE_XMMINTRIN_H|TAKEHIRO_IEEE754_HACK|USE_FAST_LOG)( |$)/d' "$d/config.h" || return
    # libtool wants -all-static to link the program fully static.
    make -C "$d" -j2 LDFLAGS="-all-static" || return
    cp "$d/frontend/lame" "$OUT/bin/$a/lame"
}

build_dd() {
    local a=$1 d
    d=$(fresh_tree "$2" "$a" coreutils) || return
    # (FORCE_UNSAFE_CONFIGURE: coreutils' configure refuses to run as root.)
    (cd "$d" && FORCE_UNSAFE_CONFIGURE=1 ./configure --host="${TRIPLE[$a]}" --build="$(gcc -dumpmachine)" \
        --disable-nls --disable-acl --disable-xattr --disable-libcap --disable-libsmack \
        --without-selinux --without-openssl --without-libgmp --without-libintl-prefix \
        --without-libiconv-prefix --disable-systemd \
        CC="${CC[$a]}" AR="${AR[$a]}" RANLIB="${RANLIB[$a]}" CFLAGS="$CFLAGS_ALL" LDFLAGS="$LDFLAGS_ALL") || return
    # Only dd (and the gnulib library it needs); BUILT_SOURCES first, as
    # `make all` would.
    local bs
    bs=$(printf 'cpubench-built-sources:\n\t@echo $(BUILT_SOURCES)\n' |
        make -s -C "$d" --no-print-directory -f Makefile -f - cpubench-built-sources) || return
    make -C "$d" -j2 $bs || return
    make -C "$d" -j2 src/dd || return
    cp "$d/src/dd" "$OUT/bin/$a/dd"
}

# The binaries are rebuilt when the compiler, flags, source versions or
# this script's build recipes change.
setup_apt
declare -A SRC
SRC[bzip2]=$(fetch_source bzip2 full)
SRC[zstd]=$(fetch_source libzstd full)
SRC[lua]=$(fetch_source lua5.1 tar)
SRC[lame]=$(fetch_source lame full)
SRC[dd]=$(fetch_source coreutils full)
for a in "${ARCHES[@]}"; do
    mkdir -p "$OUT/bin/$a"
    for p in "${PROGRAMS[@]}"; do
        key=$({
            echo "$a $p ${SRC[$p]} $CFLAGS_ALL $LDFLAGS_ALL"
            "${CC[$a]}" --version | head -n1
            sed -n "/^build_$p() {/,/^}/p" "$0"
        } | sha256sum | cut -d' ' -f1)
        if [[ -x "$OUT/bin/$a/$p" && "$(cat "$OUT/bin/$a/$p.key" 2>/dev/null)" == "$key" ]]; then
            continue
        fi
        log "building $p for $a (log: $OUT/build/$a/$p.log)"
        rm -f "$OUT/bin/$a/$p" "$OUT/bin/$a/$p.key"
        mkdir -p "$OUT/build/$a"
        if ! ("build_$p" "$a" "${SRC[$p]}") >"$OUT/build/$a/$p.log" 2>&1; then
            tail -n 30 "$OUT/build/$a/$p.log" >&2
            die "building $p for $a failed (full log: $OUT/build/$a/$p.log)"
        fi
        file -b "$OUT/bin/$a/$p" 2>/dev/null | grep -q 'statically linked' ||
            ! command -v file >/dev/null || die "$OUT/bin/$a/$p is not statically linked"
        echo "$key" >"$OUT/bin/$a/$p.key"
    done
done

# ---------------------------------------------------------------------------
# Inputs (cached by size)
# ---------------------------------------------------------------------------
gen() { # KIND AMOUNT FILE
    if [[ ! -f "$3" ]]; then
        log "generating $3"
        python3 bench/cpu/gen.py "$1" "$3.tmp" "$2"
        mv "$3.tmp" "$3"
    fi
}
D=$OUT/data
gen text "$BZIP2_MB" "$D/text-$BZIP2_MB"
gen audio "$LAME_SECS" "$D/audio-$LAME_SECS.wav"
if [[ ! -f "$D/mem-$ZSTD_MB.zst" ]]; then
    gen mem "$ZSTD_MB" "$WORK/mem.raw"
    log "compressing $D/mem-$ZSTD_MB.zst"
    "$OUT/bin/x86_64/zstd" -q -3 --long=27 -c "$WORK/mem.raw" >"$D/mem-$ZSTD_MB.zst.tmp"
    mv "$D/mem-$ZSTD_MB.zst.tmp" "$D/mem-$ZSTD_MB.zst"
    rm -f "$WORK/mem.raw"
fi
cp "${SRC[lua]}/test/fib.lua" "$D/fib.lua"

# The data directory seen by run.sh: links to the sized files.
stage_data() { # DIR
    mkdir -p "$1"
    ln -f "$D/text-$BZIP2_MB" "$1/text"
    ln -f "$D/audio-$LAME_SECS.wav" "$1/audio.wav"
    ln -f "$D/mem-$ZSTD_MB.zst" "$1/mem.zst"
    ln -f "$D/fib.lua" "$1/fib.lua"
}
cat >"$WORK/params" <<EOF
LUA_N=$LUA_N
DD_BYTES=$DD_BYTES
ONLY="$ONLY"
EOF
log "sizes: BZIP2_MB=$BZIP2_MB LAME_SECS=$LAME_SECS ZSTD_MB=$ZSTD_MB LUA_N=$LUA_N DD_BYTES=$DD_BYTES"

# ---------------------------------------------------------------------------
# Guest initramfs: an uncompressed cpio with /bin/cpubench, the riscv64
# binaries and the inputs, followed by guest/out/initrd.cpio.gz (the kernel
# unpacks concatenated archives in order).
# ---------------------------------------------------------------------------
stage=$WORK/initramfs
mkdir -p "$stage/bin" "$stage/cpubench/bin"
for p in "${PROGRAMS[@]}"; do
    cp "$OUT/bin/riscv64/$p" "$stage/cpubench/bin/$p"
done
stage_data "$stage/cpubench/data"
cp bench/cpu/run.sh "$stage/cpubench/run.sh"
cp "$WORK/params" "$stage/cpubench/params"
cat >"$stage/bin/cpubench" <<'EOF'
#!/bin/sh
exec sh /cpubench/run.sh /cpubench/bin /cpubench/data /tmp /cpubench/params
EOF
chmod 0755 "$stage/bin/cpubench"
INITRD=$OUT/guest/initrd.cpio
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/bench.cpio"
cat "$WORK/bench.cpio" guest/out/initrd.cpio.gz >"$INITRD"
log "guest initramfs: $INITRD ($(($(stat -c %s "$INITRD") >> 20)) MiB)"

# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------
APPEND="console=ttyS0 quiet vireo.cmd=cpubench vireo.poweroff=1"
declare -A LOGS

if ! skipped native; then
    stage_data "$WORK/native-data"
    mkdir -p "$WORK/native-tmp"
    for i in $(seq "$NATIVE_RUNS"); do
        log "native run (x86-64) $i of $NATIVE_RUNS"
        sh bench/cpu/run.sh "$OUT/bin/x86_64" "$WORK/native-data" "$WORK/native-tmp" "$WORK/params" |
            tee -a "$WORK/native.log" | grep --line-buffered '^CPUBENCH' | sed 's/^/[cpu]   native: /' >&2
    done
    LOGS[native]=$WORK/native.log
fi

if ! skipped vireo; then
    if [[ -n "${VIREO:-}" ]]; then
        [[ -x "$VIREO" ]] || die "VIREO=$VIREO is not an executable"
    else
        cargo build --release -q -p vireo
        VIREO=target/release/vireo
    fi
    log "vireo run (1 vCPU, 1 GiB)"
    start=$(date +%s.%N)
    timeout "$TIMEOUT" "$VIREO" run -m 1G --cpus 1 --kernel guest/out/Image --initrd "$INITRD" \
        --append "$APPEND" </dev/null 2>&1 | tr -d '\r' | tee "$WORK/vireo.log" |
        grep --line-buffered '^CPUBENCH' | sed 's/^/[cpu]   vireo: /' >&2 || true
    log "vireo: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s in all (boot included)"
    LOGS[vireo]=$WORK/vireo.log
fi

if ! skipped qemu; then
    log "qemu-system-riscv64 run (-M virt, 1 vCPU, 1 GiB)"
    start=$(date +%s.%N)
    timeout "$TIMEOUT" qemu-system-riscv64 -M virt -m 1G -smp 1 -nographic -monitor none -serial stdio \
        -kernel guest/out/Image -initrd "$INITRD" -append "$APPEND" </dev/null 2>&1 | tr -d '\r' |
        tee "$WORK/qemu.log" | grep --line-buffered '^CPUBENCH' | sed 's/^/[cpu]   qemu: /' >&2 || true
    log "qemu: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s in all (boot included)"
    LOGS[qemu]=$WORK/qemu.log
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
args=()
for k in native vireo qemu; do
    [[ -n "${LOGS[$k]:-}" ]] && args+=("$k=${LOGS[$k]}")
done
python3 - "$OUT" "${args[@]}" <<'PY' || { trap - EXIT; die "a run failed; logs kept in $WORK"; }
import math, statistics, sys
out, runs = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
res, done, ok = {}, {}, True
for env, path in runs.items():
    res[env] = {}
    done[env] = False
    for line in open(path, errors="replace"):
        f = line.split()
        if not f or f[0] != "CPUBENCH":
            continue
        if f[1:] == ["done"]:
            done[env] = True
        elif len(f) == 5:
            res[env].setdefault(f[1], []).append((float(f[2]), int(f[3]), f[4]))
    # Several runs (native): the median time; any failure counts.
    for p, rs in res[env].items():
        bad = [r for r in rs if r[1] != 0]
        res[env][p] = bad[0] if bad else (statistics.median(r[0] for r in rs), 0, rs[0][2])
    if not done[env]:
        print(f"bench/cpu.sh: {env}: the run did not finish (log: {path})", file=sys.stderr)
        ok = False
progs = [p for p in ("bzip2", "lame", "zstd", "lua", "dd") if any(p in r for r in res.values())]
for env, r in res.items():
    for p, (t, rc, chk) in r.items():
        if rc != 0:
            print(f"bench/cpu.sh: {env}: {p} exited with status {rc}", file=sys.stderr)
            ok = False
# The guests run the same riscv64 binaries: their outputs must match.
if "vireo" in res and "qemu" in res:
    for p in progs:
        a, b = res["vireo"].get(p), res["qemu"].get(p)
        if a and b and a[2] != b[2]:
            print(f"bench/cpu.sh: {p}: vireo's output ({a[2]}) differs from qemu's ({b[2]})", file=sys.stderr)
            ok = False

def t(env, p):
    r = res.get(env, {}).get(p)
    return r[0] if r and r[1] == 0 else None

cols = [("native", "native s"), ("vireo", "vireo s"), ("qemu", "qemu s")]
ratios = [("vireo/native", "native", "vireo"), ("qemu/native", "native", "qemu"), ("vireo/qemu", "qemu", "vireo")]
hdr = f"{'program':10}" + "".join(f"{h:>11}" for e, h in cols if e in res) + \
      "".join(f"{n:>14}" for n, a, b in ratios if a in res and b in res)
print(hdr)
logs = {n: [] for n, _, _ in ratios}
for p in progs:
    line = f"{p:10}"
    for e, _ in cols:
        if e in res:
            v = t(e, p)
            line += f"{v:11.2f}" if v else f"{'-':>11}"
    for n, a, b in ratios:
        if a in res and b in res:
            ta, tb = t(a, p), t(b, p)
            if ta and tb:
                line += f"{ta / tb:14.3f}"
                logs[n].append(math.log(ta / tb))
            else:
                line += f"{'-':>14}"
    print(line)
line = f"{'geomean':10}" + " " * 11 * sum(e in res for e, _ in cols)
for n, a, b in ratios:
    if a in res and b in res:
        line += f"{math.exp(sum(logs[n]) / len(logs[n])):14.3f}" if logs[n] else f"{'-':>14}"
print(line)
print("(speed ratios: X/Y = Y's time / X's time; higher is faster for X)")
if "native" in res and "vireo" in res:
    for p in progs:
        a, b = res["native"].get(p), res["vireo"].get(p)
        if a and b and a[2] != b[2]:
            print(f"note: {p}: native output {a[2]} differs from the guest's {b[2]} "
                  "(expected for lame: floating-point contraction and libm differ)")
sys.exit(0 if ok else 1)
PY
