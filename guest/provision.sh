#!/usr/bin/env bash
# guest/provision.sh — build a Debian riscv64 test guest for vireo.
#
# Fetches, from Debian's archive (trixie, riscv64), the stock kernel
# (linux-image-riscv64 resolved to the concrete linux-image-6.12.*-riscv64
# package) and busybox-static, and builds:
#
#   guest/out/Image            the kernel as a raw RISC-V Linux Image (header
#                              magic "RSC\x05" at offset 56) — what vireo loads
#   guest/out/initrd.cpio.gz   initramfs: static busybox + applet links, /init
#                              (= guest/init),
#                              and the virtio/ext4 kernel modules with
#                              modules.dep (decompressed to plain .ko)
#   guest/out/kernel.release   the kernel release string (uname -r)
#   guest/out/kernel.config    the Debian kernel configuration (boot/config-*)
#
# apt runs with a private configuration under guest/cache/apt (own
# sources.list, lists, status file; the host's apt.conf.d is not read), so the
# host's apt setup is never touched. Signatures are verified by apt against
# the Debian archive keyring (/usr/share/keyrings/debian-archive-keyring.gpg,
# which on bookworm hosts with an up-to-date debian-archive-keyring contains
# the trixie keys; override with DEBIAN_KEYRING=...). Cached .debs are
# re-checked against the SHA256 from the signed index before reuse.
#
# Downloaded .debs are cached in guest/cache/debs and reused: a second run
# needs no network (package lists are only refreshed when missing or with
# --update) and takes a few seconds.
#
# Facts about the Debian trixie kernel (checked with 6.12.107+deb13-riscv64;
# the script prints the current values on every run):
#   - The package ships boot/vmlinux-<release> (not vmlinuz): a plain,
#     uncompressed RISC-V Image (~31 MB) whose EFI stub makes it a PE file
#     too ("MZ" at 0, "RISCV\0\0\0" at 48, "RSC\x05" at 56). It is copied
#     as is; a gzip'd Image or an EFI zboot image would be decompressed.
#   - Modules ship as .ko.xz and without modules.dep (depmod runs at install
#     time); this script decompresses the chosen ones and writes modules.dep,
#     modules.alias and modules.order itself from each module's .modinfo.
#   - Built in (=y): VIRTIO, VIRTIO_PCI, VIRTIO_CONSOLE, VIRTIO_FS,
#     SERIAL_8250, RTC_DRV_GOLDFISH, DEVTMPFS, BLK_DEV_INITRD + RD_GZIP.
#     Modules (=m): VIRTIO_MMIO, VIRTIO_BLK, VIRTIO_NET (+ net_failover,
#     failover), HW_RANDOM_VIRTIO, VIRTIO_BALLOON, EXT4_FS (+ jbd2, mbcache,
#     crc16), CRYPTO_CRC32C, VSOCKETS, NET_9P_VIRTIO.
#     So a virtio-mmio guest needs modules: they are in the initramfs, and
#     /init loads them (in dependency order) only when the kernel command
#     line says `vireo.modules=1`; by default it loads nothing.
#
# Boot check (guest/qemu-smoke.sh): qemu-system-riscv64 7.2 (TCG) on this
# 2-core x86-64 host (while other builds ran), `-M virt -m 512M` with the
# default OpenSBI: the "vireo guest ready" banner appeared 3.1-4.1 s after
# QEMU was started (guest uptime at the banner 1.9-2.9 s), `poweroff -f`
# ends QEMU about 0.7 s later. With -smp 4, /proc/cpuinfo lists 4 processors
# (banner after ~4.3 s). With `vireo.modules=1` and virtio-mmio blk/net/rng
# devices attached, all modules load, /dev/vda mounts as ext4, eth0 appears
# and virtio_rng becomes the hwrng (banner after ~5.7 s).
#
# Usage: guest/provision.sh [--update] [--print-paths] [--help]

set -euo pipefail

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR="$GUEST_DIR/cache"
OUT_DIR="$GUEST_DIR/out"
APT_ROOT="$CACHE_DIR/apt"
DEB_DIR="$CACHE_DIR/debs"
EXTRACT_DIR="$CACHE_DIR/extract"

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-trixie}
KEYRING=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
BANNER="vireo guest ready"

# Modules a virtio-mmio guest wants. Built-in ones are skipped; the rest are
# copied with their dependencies (from modules.dep).
# crc32c_generic is a soft dependency of ext4/jbd2 (metadata checksums).
WANTED_MODULES=(virtio_mmio virtio_blk virtio_net virtio_console virtio_rng
    virtio_balloon ext4 crc32c_generic)

log() { printf '[provision] %s\n' "$*" >&2; }
die() {
    printf '[provision] error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: $0 [--update] [--print-paths] [--help]

Builds guest/out/Image and guest/out/initrd.cpio.gz from Debian $SUITE riscv64.

  --update       refresh the package lists from $MIRROR (otherwise the cached
                 lists are used once they exist)
  --print-paths  print KERNEL=, INITRD=, KERNEL_RELEASE= lines for the built
                 guest and exit (fails if it has not been built yet)
  --help         this text

Environment: DEBIAN_MIRROR, DEBIAN_SUITE, DEBIAN_KEYRING.
EOF
}

UPDATE=0
for arg in "$@"; do
    case "$arg" in
    --update) UPDATE=1 ;;
    --print-paths)
        [[ -f "$OUT_DIR/Image" && -f "$OUT_DIR/initrd.cpio.gz" && -f "$OUT_DIR/kernel.release" ]] ||
            die "the guest is not built yet; run $0 first"
        printf 'KERNEL=%s\nINITRD=%s\nKERNEL_RELEASE=%s\n' \
            "$OUT_DIR/Image" "$OUT_DIR/initrd.cpio.gz" "$(cat "$OUT_DIR/kernel.release")"
        exit 0
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        die "unknown argument '$arg'"
        ;;
    esac
done

for tool in apt-get apt-cache dpkg-deb cpio gzip xz sha256sum grep od find sort; do
    command -v "$tool" >/dev/null || die "'$tool' is required but not installed"
done
[[ -r "$KEYRING" ]] || die "Debian archive keyring $KEYRING not found; install debian-archive-keyring or set DEBIAN_KEYRING"

# Temporary work space, removed on exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vireo-provision.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------
# Private apt configuration
# ---------------------------------------------------------------------------
setup_apt() {
    mkdir -p "$APT_ROOT"/etc/{apt.conf.d,preferences.d,sources.list.d,trusted.gpg.d} \
        "$APT_ROOT"/state/lists/partial "$APT_ROOT"/cache/archives/partial
    touch "$APT_ROOT/state/status"
    printf 'deb [arch=riscv64 signed-by=%s] %s %s main\n' "$KEYRING" "$MIRROR" "$SUITE" \
        >"$APT_ROOT/etc/sources.list"
    # APT_CONFIG is read before anything else, and points every Dir::Etc
    # entry (including the apt.conf.d parts directory) at our private tree,
    # so none of the host's apt configuration, sources or state is used.
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
APT::Architecture "riscv64";
APT::Architectures { "riscv64"; };
Acquire::Languages "none";
Acquire::Retries "3";
EOF
    export APT_CONFIG="$APT_ROOT/etc/apt.conf"
}

apt_update() {
    log "refreshing package lists for $SUITE/riscv64 from $MIRROR"
    if ! apt-get -q update >"$WORK/apt-update.log" 2>&1; then
        cat "$WORK/apt-update.log" >&2
        die "apt-get update failed (see above). Check network access to $MIRROR; a NO_PUBKEY or 'not signed' error means $KEYRING lacks the $SUITE keys (set DEBIAN_KEYRING)"
    fi
    # apt only warns (exit 0) on signature problems and failed fetches, and
    # then keeps using old lists; refuse both.
    if grep -Eq '^(W|E): .*(GPG|signature|NO_PUBKEY|not signed)' "$WORK/apt-update.log"; then
        cat "$WORK/apt-update.log" >&2
        die "the $SUITE Release file could not be verified with $KEYRING (set DEBIAN_KEYRING to a keyring with the $SUITE keys)"
    fi
    if grep -Eq '^(W|E): (Failed to fetch|Some index files failed)' "$WORK/apt-update.log"; then
        cat "$WORK/apt-update.log" >&2
        die "could not download the $SUITE package lists from $MIRROR (network or mirror problem; see above)"
    fi
}

# Print the file name and SHA256 of the package apt would download.
# Output: "<url> <filename> <sha256>".
package_uri() {
    local pkg=$1 line url file hash
    line=$(apt-get -q download --print-uris "$pkg" 2>"$WORK/uri.err" | head -n1) || true
    [[ -n "$line" ]] || {
        cat "$WORK/uri.err" >&2
        die "package '$pkg' is not available for riscv64 in $SUITE"
    }
    # 'URL' filename size SHA256:hash
    read -r url file _ hash <<<"$line"
    url=${url//\'/}
    hash=${hash#SHA256:}
    [[ ${#hash} -eq 64 ]] || die "apt gave no SHA256 for '$pkg' ($line)"
    printf '%s %s %s\n' "$url" "$file" "$hash"
}

# Ensure the .deb for $1 is in the cache; print its path.
fetch_deb() {
    local pkg=$1 line url file hash
    # (Not `read < <(...)`: a failure inside a process substitution would
    # not stop the script.)
    line=$(package_uri "$pkg")
    read -r url file hash <<<"$line"
    local deb="$DEB_DIR/$file"
    if [[ -f "$deb" ]] && echo "$hash  $deb" | sha256sum -c --status -; then
        log "using cached $file"
    else
        log "downloading $file"
        rm -f "$deb"
        if ! (cd "$DEB_DIR" && apt-get -q download "$pkg" >"$WORK/download.log" 2>&1); then
            cat "$WORK/download.log" >&2
            die "download of '$pkg' ($url) failed"
        fi
        [[ -f "$deb" ]] || die "apt-get download '$pkg' did not produce $deb"
        echo "$hash  $deb" | sha256sum -c --status - ||
            die "checksum mismatch for $deb (expected SHA256 $hash)"
    fi
    printf '%s\n' "$deb"
}

# Extract a .deb once into the cache; print the directory.
extract_deb() {
    local deb=$1 name dir
    name=$(basename "$deb" .deb)
    dir="$EXTRACT_DIR/$name"
    if [[ ! -f "$dir/.extracted" ]]; then
        log "extracting $(basename "$deb")"
        rm -rf "$dir"
        mkdir -p "$dir"
        dpkg-deb -x "$deb" "$dir" || die "dpkg-deb could not extract $deb"
        touch "$dir/.extracted"
    fi
    printf '%s\n' "$dir"
}

# ---------------------------------------------------------------------------
# Kernel Image
# ---------------------------------------------------------------------------

# True when file $1 carries the RISC-V Image magic2 "RSC\x05" at offset 56.
is_riscv_image() {
    [[ "$(od -An -tx1 -j56 -N4 "$1" 2>/dev/null | tr -d ' \n')" == "52534305" ]]
}

# Little-endian u32 at offset $2 of file $1.
le32() {
    od -An -tu4 --endian=little -j"$2" -N4 "$1" | tr -d ' \n'
}

decompress_by_name() {
    case "$1" in
    gzip) gzip -dc ;;
    xz | lzma) xz -dc ;;
    zstd) zstd -dc ;;
    bzip2) bzip2 -dc ;;
    lz4) lz4 -dc ;;
    lzo) lzop -dc ;;
    *) die "unsupported compression '$1' in the kernel image" ;;
    esac
}

# Turn Debian's vmlinuz into a raw Image at $2.
make_raw_image() {
    local vmlinuz=$1 out=$2 magic
    magic=$(od -An -tx1 -N2 "$vmlinuz" | tr -d ' \n')
    if is_riscv_image "$vmlinuz"; then
        log "the packaged kernel is already a raw RISC-V Image (EFI stub + Image header)"
        cp "$vmlinuz" "$out"
    elif [[ "$magic" == "1f8b" ]]; then
        log "the packaged kernel is a gzip'd Image; decompressing"
        gzip -dc "$vmlinuz" >"$out"
    elif [[ "$magic" == "4d5a" && "$(od -An -c -j4 -N4 "$vmlinuz" | tr -d ' \n')" == "zimg" ]]; then
        # EFI zboot: a PE stub carrying the compressed Image. The header
        # holds the payload offset (u32 at 8), size (u32 at 12) and the
        # compression name (NUL-padded, at 24).
        local off size comp
        off=$(le32 "$vmlinuz" 8)
        size=$(le32 "$vmlinuz" 12)
        comp=$(dd if="$vmlinuz" bs=1 skip=24 count=32 status=none | tr -d '\0')
        log "the packaged kernel is an EFI zboot image ($comp payload at $off, $size bytes); decompressing"
        tail -c +$((off + 1)) "$vmlinuz" | head -c "$size" | decompress_by_name "$comp" >"$out"
    else
        die "unrecognised kernel image format in $vmlinuz (first bytes $magic)"
    fi
    is_riscv_image "$out" || die "$out does not carry the RISC-V Image magic at offset 56"
}

# ---------------------------------------------------------------------------
# Initramfs
# ---------------------------------------------------------------------------

# Value(s) of a .modinfo key ("depends", "alias", ...) of an uncompressed
# module: .modinfo holds NUL-terminated "key=value" strings.
modinfo_field() {
    tr '\0' '\n' <"$1" | LC_ALL=C grep -a "^$2=" | cut -d= -f2- || true
}

# Copy the wanted modules (and their dependencies) from $1 (the package's
# modules dir) to $2 (the initramfs modules dir), decompressed to plain .ko
# so any modprobe/insmod can load them. Debian's package ships no
# modules.dep (depmod runs at install time) and the host may have no depmod
# (and none for riscv64), so the dependency graph is read from each module's
# .modinfo "depends=" entry, and modules.dep/modules.alias are written here
# in depmod's format. Built-in modules are reported and skipped.
copy_modules() {
    local src=$1 dst=$2 p m
    declare -A path_of=() builtin=() visited=() closure=()
    local order=()
    # (Inline name normalisation: a subshell per module would cost seconds.)
    while read -r p; do
        m=${p##*/}
        m=${m%%.ko*}
        path_of[${m//-/_}]=$p
    done < <(cd "$src" && find kernel -name '*.ko*' -type f)
    while read -r p; do
        m=${p##*/}
        m=${m%%.ko*}
        builtin[${m//-/_}]=1
    done <"$src/modules.builtin"
    mkdir -p "$dst"

    # Depth-first: a module is appended to `order` after its dependencies.
    visit() {
        local name=$1 path plain dep deps t=""
        [[ -n "${visited[$name]:-}" ]] && return 0
        visited[$name]=1
        [[ -n "${builtin[$name]:-}" ]] && return 0
        path=${path_of[$name]:-}
        [[ -n "$path" ]] || die "module '$name' (needed by the initramfs) is not in the kernel package"
        plain=${path%.xz}
        plain=${plain%.zst}
        plain=${plain%.gz}
        mkdir -p "$dst/$(dirname "$plain")"
        case "$path" in
        *.ko.xz) xz -dc "$src/$path" >"$dst/$plain" ;;
        *.ko.zst) zstd -q -dc "$src/$path" >"$dst/$plain" ;;
        *.ko.gz) gzip -dc "$src/$path" >"$dst/$plain" ;;
        *) cp "$src/$path" "$dst/$plain" ;;
        esac
        deps=$(modinfo_field "$dst/$plain" depends | head -n1)
        for dep in ${deps//,/ }; do
            visit "$dep"
            [[ -n "${builtin[$dep]:-}" ]] && continue
            t+=" ${path_of[$dep]} ${closure[$dep]}"
        done
        closure[$name]=$t
        order+=("$name")
    }

    for m in "${WANTED_MODULES[@]}"; do
        if [[ -n "${builtin[$m]:-}" ]]; then
            log "module $m: built into the kernel"
        elif [[ -n "${path_of[$m]:-}" ]]; then
            log "module $m: loadable module (${path_of[$m]})"
            visit "$m"
        else
            log "module $m: not in this kernel (skipped)"
        fi
    done

    # modules.dep: "path: deps..." where modprobe loads the deps from last
    # to first; listing the closure in reverse dependency order does that.
    local j dep_line plainpath
    : >"$dst/modules.dep"
    : >"$dst/modules.alias"
    for m in "${order[@]}"; do
        declare -A inclosure=()
        for p in ${closure[$m]}; do inclosure[$p]=1; done
        dep_line=""
        for ((j = ${#order[@]} - 1; j >= 0; j--)); do
            p=${path_of[${order[$j]}]}
            [[ -n "${inclosure[$p]:-}" ]] && dep_line+=" $p"
        done
        unset inclosure
        plainpath=$(sed -E 's/\.ko\.(xz|zst|gz)$/.ko/' <<<"${path_of[$m]}")
        printf '%s:%s\n' "$plainpath" "$(sed -E 's/\.ko\.(xz|zst|gz)( |$)/.ko\2/g' <<<"$dep_line")" >>"$dst/modules.dep"
        modinfo_field "$dst/$plainpath" alias | sed "s/^/alias /; s/\$/ $m/" >>"$dst/modules.alias"
    done
    printf '%s\n' "${order[@]}" | while read -r m; do
        sed -E 's/\.ko\.(xz|zst|gz)$/.ko/' <<<"${path_of[$m]}"
    done >"$dst/modules.order"
    cp "$src/modules.builtin" "$dst/"
    [[ -f "$src/modules.builtin.modinfo" ]] && cp "$src/modules.builtin.modinfo" "$dst/"
    log "copied ${#order[@]} modules: ${order[*]}"
}

# Print busybox's applet names, read from the NUL-separated name table in the
# (riscv64, so not runnable here) binary: it starts "[\0[[\0" and ends at an
# empty string.
busybox_applets() {
    local bb=$1 off
    off=$(LC_ALL=C grep -obUaP '\[\x00\[\[\x00' "$bb" | head -n1 | cut -d: -f1) || true
    [[ -n "$off" ]] || return 0
    tail -c +$((off + 1)) "$bb" | head -c 65536 | tr '\0' '\n' |
        awk 'length($0) == 0 { exit } { print }' |
        LC_ALL=C grep -E '^[][a-z0-9_.-]+$' || true
}

build_initramfs() {
    local busybox_root=$1 modsrc=$2 release=$3 out=$4
    local stage="$WORK/initramfs"
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,root,etc,mnt,lib/modules}
    ln -s bin "$stage/sbin"
    mkdir -p "$stage/usr"
    ln -s ../bin "$stage/usr/bin"
    ln -s ../bin "$stage/usr/sbin"

    local bb
    bb=$(find "$busybox_root" -path '*bin/busybox' -type f | head -n1)
    [[ -n "$bb" ]] || die "busybox binary not found in the busybox-static package"
    install -m 0755 "$bb" "$stage/bin/busybox"
    local applets n=0 a
    applets=$(busybox_applets "$stage/bin/busybox")
    for a in $applets; do
        [[ "$a" == busybox || -e "$stage/bin/$a" ]] && continue
        ln -s busybox "$stage/bin/$a"
        n=$((n + 1))
    done
    if ((n < 100)); then
        log "could not read busybox's applet table ($n names); /init will run 'busybox --install'"
        find "$stage/bin" -type l -delete
    else
        log "linked $n busybox applets"
    fi

    install -m 0755 "$GUEST_DIR/init" "$stage/init"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
    printf 'root:x:0:\n' >"$stage/etc/group"
    printf '/bin/sh\n' >"$stage/etc/shells"
    printf 'PS1='\''vireo:\\w# '\''\n' >"$stage/etc/profile"

    copy_modules "$modsrc" "$stage/lib/modules/$release"

    # Reproducible archive: fixed mtimes, owner root, renumbered inodes.
    find "$stage" -exec touch -h -d @0 {} +
    (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc --owner=0:0 --reproducible) | gzip -9n >"$out.tmp"
    mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
mkdir -p "$DEB_DIR" "$EXTRACT_DIR" "$OUT_DIR"
setup_apt
if ((UPDATE)) || ! compgen -G "$APT_ROOT/state/lists/*_Packages*" >/dev/null; then
    apt_update
else
    log "using cached package lists (pass --update to refresh)"
fi

# linux-image-riscv64 is a metapackage: its Depends names the real kernel.
KPKG=$(apt-cache show --no-all-versions linux-image-riscv64 2>/dev/null |
    sed -n 's/^Depends: //p' | tr ',' '\n' | sed 's/^ *//; s/ .*//' |
    grep -E '^linux-image-[0-9].*-riscv64(-unsigned)?$' | head -n1) || true
[[ -n "$KPKG" ]] || die "could not resolve linux-image-riscv64 to a kernel package in $SUITE"
log "kernel package: $KPKG"

KDEB=$(fetch_deb "$KPKG")
BBDEB=$(fetch_deb busybox-static)
KROOT=$(extract_deb "$KDEB")
BBROOT=$(extract_deb "$BBDEB")

VMLINUZ=$(find "$KROOT/boot" -maxdepth 1 -name 'vmlinu*-*' -type f | head -n1)
[[ -n "$VMLINUZ" ]] || die "no boot/vmlinuz-* in $KDEB"
RELEASE=${VMLINUZ##*/vmlinuz-}
RELEASE=${RELEASE##*/vmlinux-}
MODSRC=""
for d in "$KROOT/usr/lib/modules/$RELEASE" "$KROOT/lib/modules/$RELEASE"; do
    [[ -f "$d/modules.builtin" ]] && MODSRC=$d && break
done
[[ -n "$MODSRC" ]] || die "no lib/modules/$RELEASE/modules.builtin in $KDEB"
log "kernel release: $RELEASE"

make_raw_image "$VMLINUZ" "$WORK/Image"
mv "$WORK/Image" "$OUT_DIR/Image"
cp "$KROOT/boot/config-$RELEASE" "$OUT_DIR/kernel.config"
printf '%s\n' "$RELEASE" >"$OUT_DIR/kernel.release"
log "virtio-related kernel config:"
grep -E '^CONFIG_(VIRTIO|VIRTIO_MMIO|VIRTIO_BLK|VIRTIO_NET|VIRTIO_CONSOLE|HW_RANDOM_VIRTIO|VIRTIO_BALLOON|EXT4_FS|SERIAL_8250|RTC_DRV_GOLDFISH)=' \
    "$OUT_DIR/kernel.config" | sed 's/^/[provision]   /' >&2 || true

build_initramfs "$BBROOT" "$MODSRC" "$RELEASE" "$OUT_DIR/initrd.cpio.gz"

log "done:"
log "  $OUT_DIR/Image ($(stat -c %s "$OUT_DIR/Image") bytes, kernel $RELEASE)"
log "  $OUT_DIR/initrd.cpio.gz ($(stat -c %s "$OUT_DIR/initrd.cpio.gz") bytes)"
