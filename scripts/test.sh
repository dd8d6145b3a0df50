#!/bin/sh
# Sets everything up on a fresh Debian/Ubuntu machine and runs every test
# (unit, integration with real containers, e2e in a real VS Code; as root).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-e2e.sh  # code-server + Chromium for test/e2e (real VS Code)
./scripts/setup-engines.sh  # containerd, Docker, Podman for test/integration/engine-*.test.ts
./scripts/setup-registry.sh  # docker-registry, skopeo, htpasswd, openssl, zstd for the registry tests (test/helpers/registry.ts)
./scripts/setup-ssh.sh  # OpenSSH for the several-hosts tests (each starts its own sshd on 127.0.0.1)
./scripts/setup-validation.sh  # runtime-tools' validation programs, where their sources are (test/oci-validation/README.md)
npm run --silent typecheck
# The run's own temp space and cgroup names (test/helpers/run-scope.ts): the
# tests check only what they made, never what else runs on the machine.
TMPDIR="$(mktemp -d /tmp/nscope-tests.XXXXXX)"
NSCOPE_TEST_RUN="${TMPDIR##*.}"
# 0755 like /tmp itself: the tests that connect as a non-root peer must
# reach the sockets their daemons make in here.
chmod 0755 "$TMPDIR"
# nscope-runtime's registry of --root dirs (runtime-roots.ts): the run's own, not /run's
NSCOPE_RUNTIME_ROOTS_DIR="$TMPDIR/runtime-roots"
export TMPDIR NSCOPE_TEST_RUN NSCOPE_RUNTIME_ROOTS_DIR
rc=0
node --test --test-concurrency=1 dist/test/ || rc=$?
# --one-file-system: a mount a failed test left behind is reported, not emptied
rm -rf --one-file-system "$TMPDIR" 2>/dev/null || echo "test.sh: $TMPDIR left behind (still mounted?)" >&2
exit "$rc"
