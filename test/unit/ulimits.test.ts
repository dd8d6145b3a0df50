// --ulimit as Docker parses it (go-units' ParseUlimit), into OCI rlimits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyUlimits, parseUlimit } from '../../helper/runtime/ulimits';

test('--ulimit: name=soft[:hard], -1 or unlimited, soft <= hard, Docker\'s errors', () => {
  assert.deepEqual(parseUlimit('nofile=512:2048'), { type: 'RLIMIT_NOFILE', soft: 512, hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=100'), { type: 'RLIMIT_NPROC', soft: 100, hard: 100 });
  assert.deepEqual(parseUlimit('core=-1'), { type: 'RLIMIT_CORE', soft: -1, hard: -1 });
  assert.deepEqual(parseUlimit('memlock=65536:unlimited'), { type: 'RLIMIT_MEMLOCK', soft: 65536, hard: -1 });
  assert.throws(() => parseUlimit('nofile'), /^NscopeError: invalid ulimit argument: nofile$/);
  assert.throws(() => parseUlimit('files=1'), /^NscopeError: invalid ulimit type: files \(one of/);
  assert.throws(() => parseUlimit('__proto__=1'), /invalid ulimit type: __proto__/);
  assert.throws(() => parseUlimit('nofile=1:2:3'), /too many limit value arguments - 1:2:3, can only have up to two, `soft\[:hard\]`/);
  assert.throws(() => parseUlimit('nofile=2048:1024'), /--ulimit nofile: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024/);
  assert.throws(() => parseUlimit('stack=-1:1024'), /soft: -1 \(unlimited\), hard: 1024/);
  assert.throws(() => parseUlimit('nproc=lots'), /--ulimit nproc: "lots" is not a number/);
  assert.throws(() => parseUlimit('nproc=-5'), /--ulimit nproc: "-5" is not a number/);
  assert.throws(() => parseUlimit('core=99999999999999999999'), /--ulimit core: .* is out of range/);
  assert.throws(() => parseUlimit('nofile=unlimited'), /--ulimit nofile: unlimited is above the kernel's maximum of open files/);
  assert.throws(() => parseUlimit('nofile=1024:999999999999'), /fs\.nr_open/);
});

test('--ulimit over the spec\'s rlimits: same type replaced, later flag wins', () => {
  const base = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }];
  assert.equal(applyUlimits(base, undefined), base);
  assert.deepEqual(applyUlimits(base, ['nofile=10:20', 'core=0', 'nofile=30:40']), [{ type: 'RLIMIT_NOFILE', soft: 30, hard: 40 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
});
