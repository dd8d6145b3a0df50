#!/usr/bin/env node
// The RUNTIME that test/integration/oci-validation.test.ts hands to the
// runtime-tools validation programs. They run `$RUNTIME create|start|state|
// kill|delete ...` with no global flags, so this adds what a test run needs:
//  - `--root NSCOPE_VALIDATION_ROOT`: the run's own state directory, never the
//    machine's /run/runc or /run/nscope-runtime;
//  - on create/run, a bundle whose config.json names no linux.cgroupsPath gets
//    `/<NSCOPE_VALIDATION_CGROUP>/<id>`, a cgroup named with the test run's prefix
//    (test/helpers/run-scope.ts), instead of the runtime's default below the
//    caller's own cgroup. A cgroupsPath the program chose itself is left alone
//    (the linux_cgroups_* programs use /cgrouptest and testdir/cgrouptest/container);
//  - the bundle is made 0755 (see below).
// Then it runs the runtime: NSCOPE_VALIDATION_RUNTIME_JS (a node script such as
// bin/nscope-runtime.cjs, loaded in this process) or NSCOPE_VALIDATION_RUNTIME_ARGV (a
// JSON argv, e.g. ["runc"]), with this process's stdio, which the container inherits.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const args = process.argv.slice(2);
const root = process.env.NSCOPE_VALIDATION_ROOT;
const parent = process.env.NSCOPE_VALIDATION_CGROUP;
if (!root) { process.stderr.write('runtime-wrapper: NSCOPE_VALIDATION_ROOT is not set\n'); process.exit(2); }

if (args[0] === 'create' || args[0] === 'run') {
  let bundle = '.';
  const positionals = [];
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--bundle' || a === '-b') bundle = args[++i];
    else if (a.startsWith('--bundle=')) bundle = a.slice('--bundle='.length);
    else if (a === '--pid-file' || a === '--console-socket' || a === '--preserve-fds') i++;
    else if (!a.startsWith('-')) positionals.push(a);
  }
  const id = positionals[positionals.length - 1];
  const file = path.join(bundle, 'config.json');
  try {
    const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
    // runtime-tools makes each bundle (which is also the rootfs: root.path ".") with
    // mode 0700 (Go's ioutil.TempDir), which a container process that is not root
    // (process_user) or whose root is a mapped uid (linux_uid_mappings) could not
    // enter; a rootfs is 0755 in any image.
    fs.chmodSync(bundle, 0o755);
    if (parent && id && spec.linux && !spec.linux.cgroupsPath) {
      spec.linux.cgroupsPath = `/${parent}/${id}`;
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(spec, null, '\t'));
      fs.renameSync(`${file}.tmp`, file);
    }
  } catch { /* no or bad config.json: the runtime says so */ }
}

const js = process.env.NSCOPE_VALIDATION_RUNTIME_JS;
if (js) {
  process.argv = [process.argv[0], js, '--root', root, ...args];
  require(js);
} else {
  const argv = JSON.parse(process.env.NSCOPE_VALIDATION_RUNTIME_ARGV || '["runc"]');
  const r = spawnSync(argv[0], [...argv.slice(1), '--root', root, ...args], { stdio: 'inherit' });
  if (r.error) { process.stderr.write(`runtime-wrapper: ${argv[0]}: ${r.error.message}\n`); process.exit(127); }
  process.exit(r.status ?? 128 + 9);
}
