#!/bin/sh
# The container engines the engine tests drive nscope-runtime from (issue 11):
# Debian's containerd (ctr + the runc shim v2) and docker.io (dockerd 20.10,
# which also brings runc, the reference the tests hold nscope-runtime to). The tests start them
# privately (own root, state, sockets, runc root, cgroup parent); nothing
# here starts a service. Idempotent.
set -eu
need=""
command -v containerd >/dev/null 2>&1 && command -v ctr >/dev/null 2>&1 || need="$need containerd"
command -v dockerd >/dev/null 2>&1 || need="$need docker.io"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
if [ -n "$need" ]; then
  apt-get update -qq
  # --no-install-recommends: the engines and what they need to run, no desktop or docs extras
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
