#!/usr/bin/env bash
# Fetches the kernels the guest suite runs on and prints one line per kernel:
#   <version> <headers dir> <vmlinuz> <chroot or ->
# (a chroot when the headers need another suite's compiler). Kernels:
#   - Debian 12's own (the host's linux-headers-amd64; gcc-12 of the host),
#   - the newest of bookworm-backports (headers extracted into build/kernels,
#     never installed: gcc-12 of the host builds against them),
#   - the newest of trixie-backports (gcc-14: a cached debootstrap chroot of
#     trixie under build/kernels, with the headers installed inside).
# Everything is cached under driver/linux/build/kernels; the host's apt state
# is only used to install the tools (scripts/apt-install.sh).
#   bash driver/linux/kernels.sh [host] [bookworm-backports] [trixie-backports]
set -euo pipefail
cd "$(dirname "$0")/../.."
K=$PWD/driver/linux/build/kernels
mkdir -p "$K"
log() { printf '[kernels] %s\n' "$*" >&2; }

# The Debian mirror this machine uses (deb.debian.org unless configured otherwise).
mirror() {
  local uri
  uri=$(grep -hoE '(URIs:|^deb)[[:space:]]+[^[:space:]]+' /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
    awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# apt-get / apt-cache with a private source list and state: the host's apt is not touched.
private_apt() {
  local suite=$1 tool=$2
  shift 2
  local dir=$K/apt-$suite
  "$tool" -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null \
    -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
    -o Dir::State::status=/var/lib/dpkg/status -o APT::Sandbox::User=root \
    -o Debug::NoLocking=1 "$@"
}

private_update() {
  local suite=$1 dir=$K/apt-$suite
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb $(mirror) $suite main" >"$dir/sources.list"
  # Once a day is enough: the index names the newest kernel of the suite.
  if [[ -z $(find "$dir/lists" -name '*Packages*' -mmin -1440 2>/dev/null) ]]; then
    private_apt "$suite" apt-get -qq update >&2
  fi
}

# The newest kernel ABI name in the index, from the linux-headers-amd64 metapackage(s).
newest_kver() {
  "$@" show linux-headers-amd64 2>/dev/null | sed -n 's/^Depends: .*\(linux-headers-[^ ,]*-amd64\).*/\1/p' |
    sed 's/^linux-headers-//' | sort -V | tail -1
}

# The vmlinuz of a kernel: /boot/vmlinuz-VER in linux-image-VER(-unsigned) up to 6.x,
# /usr/lib/modules/VER/vmlinuz.unsigned in linux-binary-unsigned-VER from 7.x.
find_vmlinuz() {
  find "$1" \( -name "vmlinuz-$2" -o -name 'vmlinuz.unsigned' -o -name 'vmlinuz' \) -type f | head -1
}

host_kernel() {
  bash scripts/apt-install.sh linux-headers-amd64 >&2
  local kver vmlinuz dl
  kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | grep -o 'linux-headers-[^ ,]*' | head -1)
  kver=${kver#linux-headers-}
  [[ -n $kver && -d /lib/modules/$kver/build ]] || { log "no kernel headers found for '$kver'"; return 1; }
  vmlinuz=$K/host/vmlinuz-$kver
  if [[ ! -s $vmlinuz ]]; then
    mkdir -p "$K/host"
    dl=$(mktemp -d)
    chmod 755 "$dl"
    (cd "$dl" && apt-get download -o DPkg::Lock::Timeout=600 "linux-image-$kver" >/dev/null)
    dpkg-deb --fsys-tarfile "$dl"/linux-image-"$kver"_*.deb | tar -x -C "$dl" "./boot/vmlinuz-$kver"
    mv "$dl/boot/vmlinuz-$kver" "$vmlinuz"
    rm -rf "$dl"
  fi
  echo "$kver /lib/modules/$kver/build $vmlinuz -"
}

# bookworm-backports: the headers, -common and kbuild packages and the image,
# extracted into a private tree; the headers' one-line Makefile is pointed at
# the extracted -common.
backports_kernel() {
  local suite=bookworm-backports kver tree pkgs dl hdr
  private_update "$suite"
  kver=$(newest_kver private_apt "$suite" apt-cache)
  [[ -n $kver ]] || { log "no kernel found in $suite"; return 1; }
  tree=$K/$suite-$kver
  hdr=$tree/usr/src/linux-headers-$kver
  if [[ ! -f $tree/.done ]]; then
    rm -rf "$tree"
    mkdir -p "$tree"
    pkgs=$(private_apt "$suite" apt-cache show "linux-headers-$kver" | sed -n 's/^Depends: //p' | head -1 |
      tr ',' '\n' | awk '{print $1}' | grep -E '^linux-(headers|kbuild)' || true)
    dl=$(mktemp -d)
    chmod 755 "$dl"
    (cd "$dl" && private_apt "$suite" apt-get download "linux-headers-$kver" $pkgs "linux-image-$kver-unsigned" >&2)
    for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$tree"; done
    rm -rf "$dl"
    sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$hdr/Makefile"
    touch "$tree/.done"
  fi
  echo "$kver $hdr $(find_vmlinuz "$tree" "$kver") -"
}

# trixie-backports: a trixie chroot (its gcc-14) with the headers installed inside.
chroot_kernel() {
  local suite=trixie-backports root=$K/trixie-root kver dl
  if [[ ! -f $root/.done ]]; then
    bash scripts/apt-install.sh debootstrap >&2
    rm -rf "$root"
    log "debootstrap of trixie into $root (a few minutes, once)"
    debootstrap --variant=buildd trixie "$root" "$(mirror)" >"$K/debootstrap.log" 2>&1 ||
      { tail -20 "$K/debootstrap.log" >&2; return 1; }
    echo "deb $(mirror) $suite main" >"$root/etc/apt/sources.list.d/backports.list"
    touch "$root/.done"
  fi
  if [[ -z $(find "$root/var/lib/apt/lists" -name "*${suite}*Packages*" -mmin -1440 2>/dev/null) ]]; then
    chroot "$root" apt-get -qq update >&2
  fi
  kver=$(newest_kver chroot "$root" apt-cache)
  [[ -n $kver ]] || { log "no kernel found in trixie / $suite"; return 1; }
  if [[ ! -d $root/usr/src/linux-headers-$kver ]]; then
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
      "linux-headers-$kver" >&2
  fi
  if [[ ! -s $K/$suite-vmlinuz-$kver ]]; then
    dl=$root/tmp/kimage
    rm -rf "$dl"
    mkdir -p "$dl"
    local pkg=linux-image-$kver-unsigned
    if chroot "$root" apt-cache show "linux-binary-unsigned-$kver" >/dev/null 2>&1; then
      pkg=linux-binary-unsigned-$kver
    fi
    chroot "$root" sh -c "cd /tmp/kimage && apt-get download $pkg" >&2
    dpkg-deb -x "$dl"/*.deb "$dl/x"
    cp "$(find_vmlinuz "$dl/x" "$kver")" "$K/$suite-vmlinuz-$kver"
    rm -rf "$dl"
  fi
  echo "$kver /usr/src/linux-headers-$kver $K/$suite-vmlinuz-$kver $root"
}

which=("$@")
[[ ${#which[@]} -gt 0 ]] || which=(host bookworm-backports trixie-backports)
for w in "${which[@]}"; do
  case $w in
    host) host_kernel ;;
    bookworm-backports) backports_kernel ;;
    trixie-backports) chroot_kernel ;;
    *) log "unknown kernel source $w"; exit 2 ;;
  esac
done
