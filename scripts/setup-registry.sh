#!/bin/sh
# What the registry tests and bench/pull.ts need (issue 12): Debian's
# docker-registry (distribution 2.8; each test starts its own on 127.0.0.1 and
# a free port), skopeo (pushes the fixtures, inspects what nscope pushed),
# htpasswd (apache2-utils: the bcrypt password file of basic auth), openssl
# (the test CA and server certificates, the token server's key) and zstd (a
# zstd layer fixture). Idempotent.
#
# The package's own service (a registry for the whole host on :5000) is never
# left running: a test must only ever talk to the registry it started.
set -eu
need=""
command -v docker-registry >/dev/null 2>&1 || need="$need docker-registry"
command -v skopeo >/dev/null 2>&1 || need="$need skopeo"
command -v htpasswd >/dev/null 2>&1 || need="$need apache2-utils"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v zstd >/dev/null 2>&1 || need="$need zstd"
[ -z "$need" ] || "$(dirname "$0")/apt-install-no-start.sh" $need
# Where systemd runs, a unit the package enabled would start at the next boot
# (or was started where policy-rc.d was not honoured): stopped and disabled.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  if systemctl is-enabled --quiet docker-registry 2>/dev/null || systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
elif [ -x /etc/init.d/docker-registry ] && /etc/init.d/docker-registry status >/dev/null 2>&1; then
  /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
fi
