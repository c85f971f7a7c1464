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
#   guest/out/rootfs.ext4      a root disk (raw ext4 image, made by
#                              `mkfs.ext4 -d` from a staging directory: no
#                              root privileges or loop mounts): static busybox
#                              + applet links, the Debian packages fio and
#                              iperf3 with their libraries (apt resolves the
#                              dependencies), an /etc (passwd, group,
#                              resolv.conf, udhcpc script, ...), the same
#                              kernel modules, and guest/init as /sbin/init.
#                              Boot it with the initramfs and `root=/dev/vda`
#                              on the kernel command line (see guest/init).
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
# and virtio_rng becomes the hwrng (banner after ~5.7 s). With the root
# disk (`-drive file=guest/out/rootfs.ext4,if=none,format=raw,id=d0
# -device virtio-blk-device,drive=d0`, `root=/dev/vda`), the initramfs
# switches to it and the banner (", root /dev/vda") appears after ~5.5 s;
# `fio --version` (fio-3.39) and `iperf3 --version` (3.18) run there, as do
# a fio randread job on /dev/vda and an iperf3 run over loopback.
#
# Root disk: the packages in ROOTFS_PACKAGES are resolved by
# `apt-get install --print-uris` against a second private dpkg status file
# (guest/cache/apt/state/rootfs-status) that lists only ROOTFS_STUBS as
# installed: dependencies the guest never needs at run time (python3 for
# fio's helper scripts, adduser/debconf/init-system-helpers for maintainer
# scripts). Everything else apt selects (about 60 packages, 35 MB of .debs
# for fio 3.39 and iperf3 3.18) is downloaded into the .deb cache, verified,
# extracted with dpkg-deb -x and merged into the image with /bin, /sbin and
# /lib folded into /usr (merged /usr, as Debian has it). The image is
# rebuilt only when its inputs change or it was written to since (booting
# it read-write counts); it holds ROOTFS_FREE_MB (default 512) MiB of free
# space and is sparse on the host.
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

# Debian packages on the root disk (with their dependencies), and the
# dependencies left out (see the header).
ROOTFS_PACKAGES=(fio iperf3)
ROOTFS_STUBS=(python3 adduser debconf init-system-helpers)
ROOTFS_FREE_MB=${ROOTFS_FREE_MB:-512}
# Fixed file system UUID (also the directory hash seed), so that builds from
# the same inputs look alike and root=UUID=... keeps working.
ROOTFS_UUID=6f0e6a57-7669-4d72-a56f-766972656f00

log() { printf '[provision] %s\n' "$*" >&2; }
die() {
    printf '[provision] error: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: $0 [--update] [--print-paths] [--help]

Builds guest/out/Image, guest/out/initrd.cpio.gz and guest/out/rootfs.ext4
from Debian $SUITE riscv64.

  --update       refresh the package lists from $MIRROR (otherwise the cached
                 lists are used once they exist)
  --print-paths  print KERNEL=, INITRD=, ROOTFS=, KERNEL_RELEASE= lines for
                 the built guest and exit (fails if it has not been built yet)
  --help         this text

Environment: DEBIAN_MIRROR, DEBIAN_SUITE, DEBIAN_KEYRING, ROOTFS_FREE_MB (free
space in the root disk, MiB; default 512).
EOF
}

UPDATE=0
for arg in "$@"; do
    case "$arg" in
    --update) UPDATE=1 ;;
    --print-paths)
        [[ -f "$OUT_DIR/Image" && -f "$OUT_DIR/initrd.cpio.gz" && -f "$OUT_DIR/rootfs.ext4" &&
            -f "$OUT_DIR/kernel.release" ]] ||
            die "the guest is not built yet; run $0 first"
        printf 'KERNEL=%s\nINITRD=%s\nROOTFS=%s\nKERNEL_RELEASE=%s\n' \
            "$OUT_DIR/Image" "$OUT_DIR/initrd.cpio.gz" "$OUT_DIR/rootfs.ext4" \
            "$(cat "$OUT_DIR/kernel.release")"
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

# mkfs.ext4 and e2fsck live in /sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
for tool in apt-get apt-cache dpkg-deb cpio gzip xz sha256sum grep od find sort; do
    command -v "$tool" >/dev/null || die "'$tool' is required but not installed"
done
for tool in mkfs.ext4 e2fsck debugfs; do
    command -v "$tool" >/dev/null || die "'$tool' is required but not installed (Debian package e2fsprogs)"
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
    # Marks the initramfs for /init (the systemd convention for initrds).
    printf 'NAME="vireo initramfs"\n' >"$stage/etc/initrd-release"
    mkdir -p "$stage/etc/udhcpc"
    install -m 0755 "$GUEST_DIR/udhcpc.script" "$stage/etc/udhcpc/default.script"
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
# Root disk
# ---------------------------------------------------------------------------

# Write the private dpkg status of the root disk resolution: the
# ROOTFS_STUBS as installed, at the versions apt would pick, with their
# Provides but without dependencies of their own.
write_rootfs_status() {
    local status=$1 found
    apt-cache show --no-all-versions "${ROOTFS_STUBS[@]}" 2>"$WORK/stubs.err" |
        awk '/^Package: / { print; print "Status: install ok installed"; print "Maintainer: vireo provision.sh"; print "Description: placeholder (not needed in the guest)"; next }
             /^(Version|Architecture|Multi-Arch|Provides): / { print }
             /^$/ { print }' >"$status.tmp" || true
    found=$(grep -c '^Package: ' "$status.tmp" || true)
    if [[ "$found" != "${#ROOTFS_STUBS[@]}" ]]; then
        cat "$WORK/stubs.err" >&2
        die "could not find all of ${ROOTFS_STUBS[*]} in $SUITE (found $found)"
    fi
    mv "$status.tmp" "$status"
}

# Resolve ROOTFS_PACKAGES with their dependencies into $1: one
# "<url> <filename> <sha256>" line per package.
resolve_rootfs_packages() {
    local list=$1 status="$APT_ROOT/state/rootfs-status" url file size hash
    write_rootfs_status "$status"
    # An empty Dir::Cache::pkgcache keeps apt from replacing the package
    # cache of the main status file; the source cache is shared.
    if ! apt-get -qq -o Acquire::ForceHash=SHA256 -o Dir::State::status="$status" -o Dir::Cache::pkgcache= \
        install --print-uris --no-install-recommends "${ROOTFS_PACKAGES[@]}" \
        >"$WORK/rootfs-uris" 2>"$WORK/rootfs-uris.err"; then
        cat "$WORK/rootfs-uris.err" >&2
        die "apt could not resolve the dependencies of ${ROOTFS_PACKAGES[*]} in $SUITE (see above)"
    fi
    : >"$list"
    while read -r url file size hash; do
        url=${url//\'/}
        hash=${hash#SHA256:}
        [[ "$file" == *.deb && ${#hash} -eq 64 ]] || die "unexpected line from apt-get --print-uris: $url $file $size $hash"
        printf '%s %s %s\n' "$url" "$file" "$hash" >>"$list"
    done <"$WORK/rootfs-uris"
    local pkg
    for pkg in "${ROOTFS_PACKAGES[@]}"; do
        grep -q "^[^ ]* ${pkg}_" "$list" || die "apt did not select '$pkg' for the root disk"
    done
}

# Make sure every package of list $1 (lines "<url> <filename> <sha256>") is
# in the .deb cache with the right checksum, downloading the missing ones
# in one apt call; print the .deb paths.
fetch_resolved_debs() {
    local list=$1 url file hash pkg ver rest missing=()
    while read -r url file hash; do
        if [[ -f "$DEB_DIR/$file" ]] && echo "$hash  $DEB_DIR/$file" | sha256sum -c --status -; then
            continue
        fi
        rm -f "$DEB_DIR/$file"
        # name_version_arch.deb, the epoch's ':' written as %3a.
        pkg=${file%%_*}
        rest=${file#*_}
        ver=${rest%_*}
        missing+=("$pkg=${ver//%3a/:}")
    done <"$list"
    if ((${#missing[@]})); then
        log "downloading ${#missing[@]} packages for the root disk"
        if ! (cd "$DEB_DIR" && apt-get -q download "${missing[@]}" >"$WORK/download.log" 2>&1); then
            cat "$WORK/download.log" >&2
            die "downloading the root disk packages failed (see above)"
        fi
    else
        log "using $(wc -l <"$list") cached packages for the root disk"
    fi
    while read -r url file hash; do
        [[ -f "$DEB_DIR/$file" ]] || die "apt-get download did not produce $DEB_DIR/$file ($url)"
        echo "$hash  $DEB_DIR/$file" | sha256sum -c --status - ||
            die "checksum mismatch for $DEB_DIR/$file (expected SHA256 $hash)"
        printf '%s\n' "$DEB_DIR/$file"
    done <"$list"
}

# Copy the extracted package tree $1 into the staging root $2, folding
# /bin, /sbin and /lib* into /usr (the staging root has merged /usr).
merge_tree() {
    local src=$1 dst=$2 top name
    for top in "$src"/*; do
        [[ -e "$top" || -L "$top" ]] || continue
        name=${top##*/}
        case "$name" in
        bin | sbin | lib | lib32 | lib64 | libx32) name=usr/$name ;;
        esac
        if [[ -d "$top" && ! -L "$top" ]]; then
            mkdir -p "$dst/$name"
            cp -a "$top/." "$dst/$name/"
        else
            cp -a "$top" "$dst/$name"
        fi
    done
}

# mkfs.ext4 -d copies owners from the staging tree. Run by a non-root user,
# that is the user: make every inode root's with debugfs.
fix_ownership() {
    local image=$1 stage=$2
    [[ -z "$(find "$stage" \( ! -uid 0 -o ! -gid 0 \) -print -quit)" ]] && return 0
    log "setting the owner of every file in the image to root"
    (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort) | sed 's|^\.||' |
        awk '{ for (f = 0; f < 4; f++) printf "sif \"%s\" %s 0\n", $0, (f == 0 ? "uid" : f == 1 ? "gid" : f == 2 ? "uid_high" : "gid_high") }' \
            >"$WORK/owners.debugfs"
    debugfs -w -f "$WORK/owners.debugfs" "$image" >"$WORK/debugfs.log" 2>&1 ||
        { cat "$WORK/debugfs.log" >&2; die "debugfs could not fix the owners in $image"; }
}

# Build the root disk image $4 from busybox ($1), the initramfs's module
# tree ($2, for kernel release $3) and the extracted package trees (the
# remaining arguments).
build_rootfs() {
    local busybox_root=$1 modules=$2 release=$3 out=$4
    shift 4
    local stage="$WORK/rootfs" d
    rm -rf "$stage"
    mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,etc,dev,proc,sys,run,root,mnt,home,var/log,var/tmp,tmp}
    chmod 1777 "$stage/tmp" "$stage/var/tmp"
    chmod 0700 "$stage/root"
    ln -s usr/bin "$stage/bin"
    ln -s usr/sbin "$stage/sbin"
    ln -s usr/lib "$stage/lib"
    for d in "$@"; do
        merge_tree "$d" "$stage"
    done
    rm -rf "$stage"/usr/share/{doc,man,info,lintian,bug}
    # Debian's maintainer scripts would make these; nothing else does here.
    local ldso
    ldso=$(find "$stage/usr/lib" -maxdepth 2 -name 'ld-linux-riscv64-*.so.1' | head -n1)
    [[ -n "$ldso" ]] || die "no riscv64 dynamic linker (ld-linux-riscv64-*.so.1) among the root disk packages"
    [[ -e "$stage/usr/lib/${ldso##*/}" ]] || ln -s "${ldso#"$stage/usr/lib/"}" "$stage/usr/lib/${ldso##*/}"

    local bb applets a n=0
    bb=$(find "$busybox_root" -path '*bin/busybox' -type f | head -n1)
    install -m 0755 "$bb" "$stage/usr/bin/busybox"
    applets=$(busybox_applets "$stage/usr/bin/busybox")
    for a in $applets; do
        case "$a" in busybox | init | linuxrc) continue ;; esac
        [[ -e "$stage/usr/bin/$a" || -e "$stage/usr/sbin/$a" ]] && continue
        ln -s busybox "$stage/usr/bin/$a"
        n=$((n + 1))
    done
    ((n >= 100)) || die "could not read busybox's applet table for the root disk ($n names)"
    install -m 0755 "$GUEST_DIR/init" "$stage/usr/sbin/init"

    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$stage/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
    printf 'root:*:20000:0:99999:7:::\nnobody:*:20000:0:99999:7:::\n' >"$stage/etc/shadow"
    chmod 0640 "$stage/etc/shadow"
    printf '/bin/sh\n' >"$stage/etc/shells"
    printf 'PS1='\''vireo:\\w# '\''\n' >"$stage/etc/profile"
    printf 'vireo-guest\n' >"$stage/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tvireo-guest\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$stage/etc/hosts"
    # The DNS server of user-mode networking (vireo --net user, QEMU -nic user).
    printf 'nameserver 10.0.2.3\n' >"$stage/etc/resolv.conf"
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' \
        >"$stage/etc/nsswitch.conf"
    printf '/dev/root\t/\tauto\tdefaults\t0\t1\n' >"$stage/etc/fstab"
    mkdir -p "$stage/etc/udhcpc"
    install -m 0755 "$GUEST_DIR/udhcpc.script" "$stage/etc/udhcpc/default.script"

    mkdir -p "$stage/usr/lib/modules"
    cp -a "$modules" "$stage/usr/lib/modules/$release"

    # Size: the contents plus a margin for metadata, plus the free space.
    local content_mb size_mb
    content_mb=$(du -sm "$stage" | cut -f1)
    size_mb=$(((content_mb * 5 / 4 + 16 + ROOTFS_FREE_MB + 63) / 64 * 64))
    # A private mke2fs.conf pins the feature set, whatever the host's
    # defaults (all of it known to Linux 6.12 and to QEMU's tools).
    cat >"$WORK/mke2fs.conf" <<'CONF'
[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384
[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
CONF
    rm -f "$out.tmp"
    if ! MKE2FS_CONFIG="$WORK/mke2fs.conf" mkfs.ext4 -q -F -t ext4 -L vireo-root -U "$ROOTFS_UUID" \
        -E "root_owner=0:0,hash_seed=$ROOTFS_UUID" -d "$stage" "$out.tmp" "${size_mb}M" \
        >"$WORK/mkfs.log" 2>&1; then
        cat "$WORK/mkfs.log" >&2
        die "mkfs.ext4 could not build the root disk (see above)"
    fi
    fix_ownership "$out.tmp" "$stage"
    if ! e2fsck -fn "$out.tmp" >"$WORK/fsck.log" 2>&1; then
        cat "$WORK/fsck.log" >&2
        die "the new root disk does not pass e2fsck (see above)"
    fi
    mv "$out.tmp" "$out"
    log "root disk: ${size_mb} MiB, ${content_mb} MiB used, $(find "$stage" -mindepth 1 | wc -l) files"
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

# The root disk, rebuilt only when an input changed or the image was
# written to since the last build (the stamp is newer than the image).
resolve_rootfs_packages "$WORK/rootfs.list"
fetch_resolved_debs "$WORK/rootfs.list" >"$WORK/rootfs.debs"
mapfile -t ROOTFS_DEBS <"$WORK/rootfs.debs"
((${#ROOTFS_DEBS[@]})) || die "no packages resolved for the root disk"
ROOTFS_STAMP="$CACHE_DIR/rootfs.stamp"
ROOTFS_KEY=$({
    printf '%s\n' "$RELEASE" "$ROOTFS_FREE_MB" "$KDEB" "$BBDEB" "${ROOTFS_DEBS[@]}"
    cat "$0" "$GUEST_DIR/init" "$GUEST_DIR/udhcpc.script"
} | sha256sum | cut -d' ' -f1)
if [[ -f "$OUT_DIR/rootfs.ext4" && -f "$ROOTFS_STAMP" && "$(cat "$ROOTFS_STAMP")" == "$ROOTFS_KEY" &&
    ! "$OUT_DIR/rootfs.ext4" -nt "$ROOTFS_STAMP" ]]; then
    log "root disk is up to date"
else
    ROOTFS_TREES=()
    for deb in "${ROOTFS_DEBS[@]}"; do
        tree=$(extract_deb "$deb")
        ROOTFS_TREES+=("$tree")
    done
    build_rootfs "$BBROOT" "$WORK/initramfs/lib/modules/$RELEASE" "$RELEASE" "$OUT_DIR/rootfs.ext4" "${ROOTFS_TREES[@]}"
    printf '%s\n' "$ROOTFS_KEY" >"$ROOTFS_STAMP"
fi

log "done:"
log "  $OUT_DIR/Image ($(stat -c %s "$OUT_DIR/Image") bytes, kernel $RELEASE)"
log "  $OUT_DIR/initrd.cpio.gz ($(stat -c %s "$OUT_DIR/initrd.cpio.gz") bytes)"
log "  $OUT_DIR/rootfs.ext4 ($(($(stat -c %s "$OUT_DIR/rootfs.ext4") >> 20)) MiB; boot with root=/dev/vda)"
