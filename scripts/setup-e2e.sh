#!/bin/sh
# Installs what the end-to-end tests of the VS Code extension need, offline-capable
# (apt + the npm registry only): Debian's chromium and ripgrep, and code-server 4.100.3
# (= VS Code 1.100.3, the last release that runs on Node 20) + playwright-core in their
# own small package outside the project's node_modules. Idempotent; as root.
#   NSCOPE_E2E_DIR   where code-server goes (default /var/cache/nscope-e2e)
#   NSCOPE_E2E=0     skip (the e2e tests then skip themselves)
set -eu
DEST=${NSCOPE_E2E_DIR:-/var/cache/nscope-e2e}
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
[ "${NSCOPE_E2E:-1}" = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "setup-e2e: run as root" >&2; exit 1; fi

if [ -x "$DEST/node_modules/.bin/code-server" ] && [ -d "$DEST/node_modules/playwright-core" ] \
  && command -v chromium >/dev/null 2>&1 \
  && grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$DEST/node_modules/code-server/package.json" 2>/dev/null; then
  exit 0
fi

# build-essential python3 pkg-config libkrb5-dev: native modules of VS Code's server (kerberos
# needs krb5-config). ripgrep replaces @vscode/ripgrep's GitHub download; chromium is the browser.
need=""
for p in build-essential python3 pkg-config libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  echo "setup-e2e: apt-get install$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null; }
fi

# @vscode/ripgrep@1.15.11's postinstall downloads from api.github.com unless its cache in
# os.tmpdir() already has the archive: seed it with Debian's rg.
RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
tmpd=$(mktemp -d)
cp "$(command -v rg)" "$tmpd/rg"
tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$tmpd" rg
rm -rf "$tmpd"

# unsafe_perm: code-server's postinstall refuses root without it. yes: node-pty's postinstall
# runs `npx node-gyp`. nodedir: node-gyp uses the local Node headers instead of downloading them.
[ -f /usr/include/node/node_api.h ] && export npm_config_nodedir=/usr
mkdir -p "$DEST"
cd "$DEST"
[ -f package.json ] || echo '{ "name": "nscope-e2e", "private": true }' > package.json
echo "setup-e2e: npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION in $DEST (about a minute)"
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >"$DEST/install.log" 2>&1 \
  || { tail -40 "$DEST/install.log" >&2; exit 1; }
