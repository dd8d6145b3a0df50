#!/bin/sh
# OpenSSH for the several-hosts tests (issue 14): the client (ssh, ssh-keygen)
# and the server, which each test starts itself on 127.0.0.1 and a free port
# with its own host key, config and authorized keys. The package's own sshd
# service is never started by this script (policy-rc.d while installing) and
# the host's is left as it is. Idempotent.
set -eu
if ! [ -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1; then
  "$(dirname "$0")/apt-install-no-start.sh" openssh-server openssh-client
  # installed by us: the package's unit stays off (where systemd runs, it would start at the next boot)
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
fi
# sshd refuses to start without its privilege-separation directory
mkdir -p /run/sshd
