#!/bin/sh
# Sets everything up on a fresh Debian/Ubuntu machine and runs every test
# (unit, then integration with real containers; as root).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run --silent typecheck
exec node --test --test-concurrency=1 dist/test/
