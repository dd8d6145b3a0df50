#!/bin/sh
# Sets nscope up and runs it for real: the helper daemon (left running in the
# background, log in /var/log/nscope.log), a demo container from the embedded
# default image `host` (built from this machine's own programs), and VS Code
# with the nscope extension showing it (scripts/demo-vscode.sh).
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
# a container that stays, for the explorer
state=$($nscope inspect demo --format json 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p' | head -1 || true)
case "$state" in
  running) ;;
  created|exited) $nscope start demo >/dev/null ;;
  *) $nscope run -d --name demo --hostname demo --memory 64m --cpus 0.5 --pids-limit 50 host sleep infinity >/dev/null ;;
esac
echo "--- the helper keeps running, with the container \"demo\" (nscope ps -a, nscope top demo, nscope exec -it demo sh ...)"
$nscope ps
./scripts/demo-vscode.sh
