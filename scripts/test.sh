#!/bin/sh
# Sets everything up on a fresh Debian/Ubuntu machine and runs every test
# (unit, integration with real containers, e2e in a real VS Code; as root).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-e2e.sh  # code-server + Chromium for test/e2e (real VS Code)
npm run --silent typecheck
exec node --test --test-concurrency=1 dist/test/
