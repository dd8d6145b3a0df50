#!/bin/sh
# OpenSSH for the several-hosts tests (issue 14): the client (ssh, ssh-keygen)
# and the server, which each test starts itself on 127.0.0.1 and a free port
# with its own host key, config and authorized keys. The package's own sshd
# service is never started by this script (policy-rc.d while installing) and
# the host's is left as it is. Idempotent.
set -eu
if ! [ -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1; then
  ours=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    ours=1
  fi
  apt-get update -qq
  rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null || rc=$?
  [ -z "$ours" ] || rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || exit "$rc"
  # installed by us: the package's unit stays off (where systemd runs, it would start at the next boot)
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
fi
# sshd refuses to start without its privilege-separation directory
mkdir -p /run/sshd
