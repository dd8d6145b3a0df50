#!/bin/sh
# The end of scripts/demo.sh: VS Code with the nscope extension (packaged as a
# .vsix) showing the helper's containers. VS Code desktop when `code` is on the
# PATH; otherwise code-server 4.100.3 (installed by scripts/setup-e2e.sh) on
# 127.0.0.1, started in the background, its URL printed. Idempotent: a second
# run restarts code-server with the freshly packaged extension.
#   NSCOPE_DEMO_PORT  code-server's port (default 8080)
#   NSCOPE_DEMO_DIR   its data, extensions and log (default /var/lib/nscope-demo)
set -eu
cd "$(dirname "$0")/.."
npm run --silent package >/dev/null
VSIX="$PWD/dist/nscope.vsix"

if command -v code >/dev/null 2>&1; then
  code --install-extension "$VSIX" --force
  echo "nscope: the extension is installed in VS Code. Open it with:  code $PWD   (the nscope icon is in the activity bar)"
  exit 0
fi

./scripts/setup-e2e.sh
E2E=${NSCOPE_E2E_DIR:-/var/cache/nscope-e2e}
CODE_SERVER="$E2E/node_modules/.bin/code-server"
DIR=${NSCOPE_DEMO_DIR:-/var/lib/nscope-demo}
PORT=${NSCOPE_DEMO_PORT:-8080}
mkdir -p "$DIR/data/User" "$DIR/extensions" "$DIR/workspace"
[ -f "$DIR/data/User/settings.json" ] || cat > "$DIR/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off"
}
JSON

# a previous demo's code-server goes first (it would hold the port and the old extension)
if [ -f "$DIR/code-server.pid" ]; then
  old=$(cat "$DIR/code-server.pid")
  if kill -0 "$old" 2>/dev/null; then kill -- "-$old" 2>/dev/null || kill "$old" 2>/dev/null || true; sleep 1; fi
  rm -f "$DIR/code-server.pid"
fi
"$CODE_SERVER" --extensions-dir "$DIR/extensions" --user-data-dir "$DIR/data" --install-extension "$VSIX" --force >/dev/null

setsid "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --extensions-dir "$DIR/extensions" --user-data-dir "$DIR/data" "$DIR/workspace" \
  >"$DIR/code-server.log" 2>&1 </dev/null &
echo $! > "$DIR/code-server.pid"
for i in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$(cat "$DIR/code-server.pid")" 2>/dev/null; then echo "nscope: code-server did not start; see $DIR/code-server.log" >&2; exit 1; fi
  sleep 0.2
done
echo "nscope: VS Code (code-server 4.100.3) with the nscope extension: http://127.0.0.1:$PORT/?folder=$DIR/workspace"
echo "        click the nscope icon in the activity bar (Help > Get Started has the nscope walkthrough)."
echo "        From another machine: ssh -L $PORT:127.0.0.1:$PORT this-host, then open the same URL."
echo "        Stop it with: kill -- -\$(cat $DIR/code-server.pid)"
