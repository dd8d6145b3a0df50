#!/bin/sh
# The end of scripts/demo.sh: VS Code with the nscope extension (packaged as a
# .vsix by `npm run package`) showing the helper's containers.
# - `code` on the PATH and a window to open (a desktop session, or a terminal of
#   VS Code / Remote-SSH, whose `code` opens in that VS Code): the .vsix is
#   installed there and this checkout opened.
# - otherwise code-server 4.100.3 (installed by scripts/setup-e2e.sh) on
#   127.0.0.1, started in the background with the .vsix in its own extensions
#   dir, its URL printed.
# Idempotent: a second run replaces the code-server it started before (found
# by its pid file) with one running the freshly packaged extension.
#   NSCOPE_DEMO_PORT         code-server's port (default: 8080, else the next free one up to 8099)
#   NSCOPE_DEMO_DIR          its settings, extensions, log and pid file (default /var/lib/nscope-demo)
#   NSCOPE_DEMO_CODE_SERVER  1: code-server even when `code` is on the PATH
set -eu
cd "$(dirname "$0")/.."
DIR=${NSCOPE_DEMO_DIR:-/var/lib/nscope-demo}
npm run --silent package >/dev/null
VSIX="$PWD/dist/nscope.vsix"

has_window() { [ -n "${VSCODE_IPC_HOOK_CLI:-}" ] || [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
if [ "${NSCOPE_DEMO_CODE_SERVER:-0}" != 1 ] && command -v code >/dev/null 2>&1 && has_window; then
  set --
  if [ "$(id -u)" = 0 ] && [ -z "${VSCODE_IPC_HOOK_CLI:-}" ]; then
    # VS Code desktop refuses to run as root without its own data dir and --no-sandbox
    mkdir -p "$DIR/code-data" "$DIR/code-extensions"
    set -- --user-data-dir "$DIR/code-data" --extensions-dir "$DIR/code-extensions" --no-sandbox
  fi
  code "$@" --install-extension "$VSIX" --force
  code "$@" "$PWD"
  echo "nscope: VS Code opened on $PWD with the nscope extension: the nscope icon is in the activity bar"
  echo "        (Help > Welcome > Walkthroughs has \"Get Started with nscope\")."
  exit 0
fi

./scripts/setup-e2e.sh
E2E=${NSCOPE_E2E_DIR:-/var/cache/nscope-e2e}
CODE_SERVER="$E2E/node_modules/.bin/code-server"
mkdir -p "$DIR/data/User" "$DIR/extensions" "$DIR/workspace" "$DIR/xdg/config" "$DIR/xdg/data" "$DIR/xdg/cache"
[ -f "$DIR/data/User/settings.json" ] || cat > "$DIR/data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false
}
JSON
echo 'auth: none' > "$DIR/config.yaml"
# code-server writes its config, logs and caches under $HOME unless told otherwise
export XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" XDG_CACHE_HOME="$DIR/xdg/cache"

# the code-server of a previous run goes first (it holds the port and the old extension); the pid
# file alone is not trusted: after a reboot that pid may be anybody's
if [ -f "$DIR/code-server.pid" ]; then
  old=$(cat "$DIR/code-server.pid")
  # (the braces: a redirection from a pid that is gone fails in the shell itself, before 2> applies)
  if [ -n "$old" ] && { tr '\0' '\n' < "/proc/$old/cmdline"; } 2>/dev/null | grep -qxF "$DIR/data"; then
    kill -TERM "-$old" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "-$old" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "-$old" 2>/dev/null || true
  fi
  rm -f "$DIR/code-server.pid"
fi

port_free() { node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(+process.argv[1],"127.0.0.1",()=>s.close())' "$1"; }
if [ -n "${NSCOPE_DEMO_PORT:-}" ]; then
  PORT=$NSCOPE_DEMO_PORT
  port_free "$PORT" || { echo "nscope: port $PORT (NSCOPE_DEMO_PORT) on 127.0.0.1 is in use" >&2; exit 1; }
else
  PORT=""
  for p in $(seq 8080 8099); do if port_free "$p"; then PORT=$p; break; fi; done
  [ -n "$PORT" ] || { echo "nscope: no free port in 8080-8099 on 127.0.0.1; set NSCOPE_DEMO_PORT" >&2; exit 1; }
fi

"$CODE_SERVER" --config "$DIR/config.yaml" --user-data-dir "$DIR/data" --extensions-dir "$DIR/extensions" \
  --install-extension "$VSIX" --force >"$DIR/install.log" 2>&1 || { cat "$DIR/install.log" >&2; exit 1; }

# its own session and process group: one kill stops it with its extension host and watchers
setsid "$CODE_SERVER" --config "$DIR/config.yaml" --user-data-dir "$DIR/data" --extensions-dir "$DIR/extensions" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --ignore-last-opened "$DIR/workspace" \
  >"$DIR/code-server.log" 2>&1 </dev/null &
echo $! > "$DIR/code-server.pid"
up=""
for i in $(seq 1 150); do
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$PORT/healthz"; then up=1; break; fi
  kill -0 "$(cat "$DIR/code-server.pid")" 2>/dev/null || break
  sleep 0.2
done
[ -n "$up" ] || { echo "nscope: code-server did not start; see $DIR/code-server.log" >&2; tail -20 "$DIR/code-server.log" >&2; exit 1; }
echo "nscope: VS Code (code-server 4.100.3) with the nscope extension, running as $(id -un):"
echo "        http://127.0.0.1:$PORT/?folder=$DIR/workspace"
echo "        click the nscope icon in the activity bar; Help > Welcome > Walkthroughs has \"Get Started with nscope\"."
echo "        From another machine: ssh -L $PORT:127.0.0.1:$PORT this-host, then open the same URL."
echo "        It has no password: whoever can connect to 127.0.0.1:$PORT here gets a VS Code as $(id -un). Stop it with:"
echo "        kill -TERM -\$(cat $DIR/code-server.pid)"
