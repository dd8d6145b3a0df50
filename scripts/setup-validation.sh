#!/bin/sh
# Builds the OCI runtime validation suite (opencontainers/runtime-tools validation/*
# and cmd/runtimetest) for test/integration/oci-validation.test.ts, offline: Go, the
# runtime-tools library and its Go dependencies come from Debian's packages; the
# validation programs and runtimetest, which Debian's -dev package does not ship,
# come from a GOPATH outside the repository (see test/oci-validation/README.md);
# without one this says so and the validation tests skip. Idempotent; as root.
#   NSCOPE_RUNTIME_TOOLS_GOPATH  their sources (default /var/cache/nscope-validation/gopath)
#   NSCOPE_VALIDATION_DIR  where the programs go (default /var/cache/nscope-validation)
#   NSCOPE_VALIDATION=0    skip (the validation tests then skip themselves)
#   NSCOPE_VALIDATION_PEERS=0  do not install runc and crun (run only for comparison)
# Result in $DEST: bin/<test> (one program per validation/<test>), runtimetest and
# rootfs-<arch>.tar.gz (busybox-static), the working directory the programs expect.
set -eu
cd "$(dirname "$0")/.."
REPO=$(pwd)
DEST=${NSCOPE_VALIDATION_DIR:-/var/cache/nscope-validation}
[ "${NSCOPE_VALIDATION:-1}" = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "setup-validation: run as root" >&2; exit 1; fi
SRC=${NSCOPE_RUNTIME_TOOLS_GOPATH:-/var/cache/nscope-validation/gopath}
RT="$SRC/src/github.com/opencontainers/runtime-tools"
if [ ! -d "$RT/validation" ] || [ ! -d "$RT/cmd/runtimetest" ]; then
  echo "setup-validation: no runtime-tools validation sources in $SRC (Debian ships only the library; see test/oci-validation/README.md): the validation tests will skip"
  exit 0
fi

# What the build depends on: the kept sources, this script, and the Debian packages'
# versions. Same stamp and the programs present: nothing to do.
PKGS="golang-go golang-github-opencontainers-runtime-tools-dev golang-github-google-uuid-dev busybox-static"
stamp() {
  { find "$SRC" -type f -name '*.go' | LC_ALL=C sort | xargs cat; cat "$REPO/scripts/setup-validation.sh"
    dpkg-query -W -f='${Package} ${Version}\n' $PKGS 2>/dev/null || true; } | sha256sum | cut -d' ' -f1
}
have_peers() { [ "${NSCOPE_VALIDATION_PEERS:-1}" = 0 ] || { command -v runc >/dev/null 2>&1 && command -v crun >/dev/null 2>&1; }; }
if [ -f "$DEST/stamp" ] && [ "$(cat "$DEST/stamp")" = "$(stamp)" ] && [ -x "$DEST/runtimetest" ] \
  && [ -x "$DEST/bin/linux_seccomp" ] && [ -x "$DEST/bin/linux_uid_mappings" ] && have_peers; then
  exit 0
fi

# golang-github-opencontainers-runtime-tools-dev brings the library (generate, specerror,
# cgroups, ...) and, as its dependencies, the Go packages it imports (runtime-spec, x/sys,
# gocapability, urfave/cli, logrus, selinux, fileutils, ...). validation/util also imports
# github.com/google/uuid, which is not among them. busybox-static: the containers' rootfs.
need=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
# runc and crun only for comparison (the test prints their tallies beside nscope's)
if [ "${NSCOPE_VALIDATION_PEERS:-1}" != 0 ]; then
  for p in runc crun; do command -v "$p" >/dev/null 2>&1 || need="$need $p"; done
fi
if [ -n "$need" ]; then
  echo "setup-validation: apt-get install$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null; }
fi

# Go in GOPATH mode, offline: the kept sources first, then Debian's /usr/share/gocode.
# Static (CGO_ENABLED=0): runtimetest runs inside the busybox rootfs.
export GO111MODULE=off GOPATH="$SRC:/usr/share/gocode" GOCACHE="$DEST/go-build" GOPROXY=off GOFLAGS= \
  CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$DEST/bin"
started=$(date +%s)
cd "$RT"
go build -ldflags='-s -w' -o "$DEST/runtimetest.new" ./cmd/runtimetest
mv "$DEST/runtimetest.new" "$DEST/runtimetest"
# All programs in one go build (one compile of the shared packages); should one of them
# not build, build them one by one and keep those that do.
rm -f "$DEST/build.log"
tests=$(cd validation && for d in */; do d=${d%/}; if [ "$d" != util ]; then echo "$d"; fi; done)
if ! go build -ldflags='-s -w' -o "$DEST/bin/" $(for t in $tests; do echo "./validation/$t"; done) >"$DEST/build.log" 2>&1; then
  for t in $tests; do
    go build -ldflags='-s -w' -o "$DEST/bin/$t" "./validation/$t" >>"$DEST/build.log" 2>&1 \
      || echo "setup-validation: validation/$t does not build (see $DEST/build.log)" >&2
  done
fi
cd "$REPO"
for t in linux_seccomp linux_uid_mappings; do
  [ -x "$DEST/bin/$t" ] || { echo "setup-validation: validation/$t did not build:" >&2; cat "$DEST/build.log" >&2; exit 1; }
done

# The rootfs the programs unpack into each bundle (validation/util PrepareBundle():
# rootfs-$GOARCH.tar.gz in the working directory): busybox-static and a link for each
# of its applets (the tests run sh, true, false, sleep, ls, touch, cat, ... and hooks
# run the bundle's bin/sh on the host), /etc/passwd and /etc/group, empty dev, proc, sys.
arch=$(go env GOARCH)
fs=$(mktemp -d)
mkdir -p "$fs/bin" "$fs/dev" "$fs/proc" "$fs/sys" "$fs/etc" "$fs/tmp"
cp /bin/busybox "$fs/bin/busybox"
for a in $("$fs/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$fs/bin/$a"; done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$fs/etc/passwd"
printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'tty:x:5:' 'nogroup:x:65534:' >"$fs/etc/group"
chmod 1777 "$fs/tmp"
tar -czf "$DEST/rootfs-$arch.tar.gz.new" -C "$fs" --owner=0 --group=0 --numeric-owner --sort=name .
mv "$DEST/rootfs-$arch.tar.gz.new" "$DEST/rootfs-$arch.tar.gz"
rm -rf "$fs"

stamp >"$DEST/stamp"
echo "setup-validation: $(ls "$DEST/bin" | wc -l) validation programs + runtimetest in $DEST ($(( $(date +%s) - started )) s)"
