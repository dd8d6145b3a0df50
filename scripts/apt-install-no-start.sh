#!/bin/sh
# apt-get install PACKAGES without starting the services they bring (the
# registry's, sshd): a policy-rc.d answering 101 ("action forbidden") makes
# invoke-rc.d leave them stopped. Ours only while we install, and only if the
# machine has none of its own (which is left as it is); removed however the
# install ends.
set -eu
ours=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  ours=1
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT INT TERM
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
