#!/bin/sh
# Installs and builds nscope from a checkout on a fresh Debian/Ubuntu machine
# (Node.js, npm, g++ and make present, as on this project's machines). Idempotent.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "setup: run as root (sudo $0)" >&2; exit 1; fi
need_apt=""
for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || need_apt="$need_apt $tool"; done
command -v ldd >/dev/null 2>&1 || need_apt="$need_apt libc-bin"
command -v ipcmk >/dev/null 2>&1 || need_apt="$need_apt util-linux"
command -v ps >/dev/null 2>&1 || need_apt="$need_apt procps"
command -v tmux >/dev/null 2>&1 || need_apt="$need_apt tmux"
# nscope-shim compiles seccomp filters with libseccomp
[ -f /usr/include/seccomp.h ] || need_apt="$need_apt libseccomp-dev"
# skopeo reads `nscope image export` archives in the tests (oci-archive:FILE)
command -v skopeo >/dev/null 2>&1 || need_apt="$need_apt skopeo"
# pulled images may have zstd-compressed layers: the unpacker reads them through zstd
command -v zstd >/dev/null 2>&1 || need_apt="$need_apt zstd"
# --lxcfs binds lxcfs's /proc files; the tests start their own lxcfs on a directory of theirs
# (the package's service, where an init starts it, serves /var/lib/lxcfs and is left alone)
command -v lxcfs >/dev/null 2>&1 || need_apt="$need_apt lxcfs"
# networks: the CNI plugins (bridge, host-local, portmap, firewall, loopback),
# the iptables they program and iproute2's `ip netns` that pins netns
[ -x /usr/lib/cni/bridge ] || need_apt="$need_apt containernetworking-plugins"
command -v iptables >/dev/null 2>&1 || need_apt="$need_apt iptables"
command -v ip >/dev/null 2>&1 || need_apt="$need_apt iproute2"
# the network tests run busybox httpd and nc in containers, and curl on the host
command -v busybox >/dev/null 2>&1 || need_apt="$need_apt busybox-static"
if [ -n "$need_apt" ]; then
  pkgs=$(echo "$need_apt" | sed 's/g++/g++ build-essential/')
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi
# --userns=auto hands out ranges of the "nscope" subordinate ids (as Podman's
# "containers" entry): 2^31 of them, above every id a system account uses.
for f in /etc/subuid /etc/subgid; do
  grep -q '^nscope:' "$f" 2>/dev/null || echo 'nscope:2147483647:2147483648' >> "$f"
done
# npm ci builds the native addon and nscope-shim with node-gyp (install script)
if [ ! -f build/Release/nscope.node ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build:native >/dev/null
npm run --silent build
