#!/bin/sh
# Sets nscope up and runs it for real: the helper daemon (left running in the
# background, log in /var/log/nscope.log) and a demo container from the
# embedded default image `host`, built from this machine's own programs.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
nscope="./bin/nscope"
if ! $nscope info >/dev/null 2>&1; then
  nohup $nscope daemon >>/var/log/nscope.log 2>&1 &
  for i in $(seq 1 100); do $nscope info >/dev/null 2>&1 && break; sleep 0.1; done
fi
$nscope images --format json | grep -q '"host:latest"' || $nscope image host host
echo "--- a container from the host image: new namespaces, its own root, cgroup limits:"
$nscope run --rm --memory 64m --cpus 0.5 --pids-limit 50 --hostname demo host \
  sh -c 'echo "hostname: $(hostname)"; echo "my pid: $$"; echo "processes:"; ps -e; echo "root:"; ls /'
echo "--- the helper keeps running (nscope ps -a, nscope run -d host sleep 600, nscope top ID ...)"
$nscope info
