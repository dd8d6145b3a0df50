#!/bin/sh
# Sets nscope up and runs it for real: the helper daemon (left running in the
# background, log in /var/log/nscope.log), a demo container from the embedded
# default image `host` (built from this machine's own programs), and VS Code
# with the nscope extension showing it (scripts/demo-vscode.sh).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
nscope="./bin/nscope"
DEMO_DIR=${NSCOPE_DEMO_DIR:-/var/lib/nscope-demo}
mkdir -p "$DEMO_DIR"
if ! $nscope info >/dev/null 2>&1; then
  nohup $nscope daemon >>/var/log/nscope.log 2>&1 &
  echo $! > "$DEMO_DIR/daemon.pid"
  for i in $(seq 1 100); do $nscope info >/dev/null 2>&1 && break; sleep 0.1; done
fi
$nscope images --format json | grep -q '"host:latest"' || $nscope image host host
echo "--- a container from the host image: new namespaces, its own root, cgroup limits:"
$nscope run --rm --memory 64m --cpus 0.5 --pids-limit 50 --hostname demo host \
  sh -c 'echo "hostname: $(hostname)"; echo "my pid: $$"; echo "processes:"; ps -e; echo "root:"; ls /'
# a container that stays, for the explorer
state=$($nscope inspect demo --format '{{.State.Status}}' 2>/dev/null || true)
case "$state" in
  running) ;;
  created|exited) $nscope start demo >/dev/null ;;
  *) $nscope run -d --name demo --hostname demo --memory 64m --cpus 0.5 --pids-limit 50 host sleep infinity >/dev/null ;;
esac
echo "--- the helper keeps running, with the container \"demo\" (nscope ps -a, nscope top demo, nscope exec -it demo sh ...)"
$nscope ps
NSCOPE_DEMO_DIR="$DEMO_DIR" ./scripts/demo-vscode.sh
echo "--- to stop what the demo started:"
[ -f "$DEMO_DIR/code-server.pid" ] && echo "  kill -TERM -\$(cat $DEMO_DIR/code-server.pid)     # code-server"
echo "  ./bin/nscope rm -f demo                             # the container"
if [ -f "$DEMO_DIR/daemon.pid" ] && kill -0 "$(cat "$DEMO_DIR/daemon.pid")" 2>/dev/null; then
  echo "  kill \$(cat $DEMO_DIR/daemon.pid)                 # the helper (containers left running keep running)"
fi
