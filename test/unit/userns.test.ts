// --userns=auto: parsing, and ranges handed out from /etc/subuid-style files (no root needed).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { allocateIdMap, parseUserns, pickRange, readSubIds, releaseIdMap } from '../../helper/runtime/userns';

/** nothing taken by this helper's own containers */
const a0 = () => ({ uid: [], gid: [] });
import { toContainerId, toHostId } from '../../helper/lib/idmap';

test('--userns values: host, auto, auto:size=N; anything else named', () => {
  assert.equal(parseUserns(undefined), undefined);
  assert.equal(parseUserns('host'), undefined);
  assert.deepEqual(parseUserns('auto'), { size: 65536 });
  assert.deepEqual(parseUserns('auto:size=1024'), { size: 1024 });
  assert.throws(() => parseUserns('auto:size=0'), /size 0 is out of range/);
  assert.throws(() => parseUserns('keep-id'), /"keep-id" is not host, auto or auto:size=N/);
  assert.throws(() => parseUserns('auto:size=99999999999'), /not host, auto/);
});

test('ranges: the lowest free one, disjoint from every taken range, inside the subordinate ranges', () => {
  const subs = [{ start: 100000, count: 200000 }];
  assert.equal(pickRange(65536, subs, []), 100000);
  assert.equal(pickRange(65536, subs, [{ containerID: 0, hostID: 100000, size: 65536 }]), 165536);
  // a hole between two taken ranges is used when it fits
  const taken = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 0, hostID: 102000, size: 1000 }];
  assert.equal(pickRange(1000, subs, taken), 101000);
  assert.equal(pickRange(1001, subs, taken), 103000);
  assert.equal(pickRange(300000, subs, []), undefined);
});

test('allocation reads /etc/subuid and /etc/subgid entries for nscope; two containers never share ids', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-subid-'));
  try {
    const uid = path.join(dir, 'subuid');
    const gid = path.join(dir, 'subgid');
    fs.writeFileSync(uid, 'alice:100000:65536\nnscope:200000:131072\n');
    fs.writeFileSync(gid, 'nscope:400000:131072\n');
    assert.deepEqual(readSubIds(uid), [{ start: 200000, count: 131072 }]);
    const reservations = path.join(dir, 'reserved');
    const files = { uid, gid, reservations };
    const a = allocateIdMap(65536, dir, [a0()], files);
    const b = allocateIdMap(65536, dir, [], files); // knows a only from its reservation
    assert.deepEqual(a.uid, [{ containerID: 0, hostID: 200000, size: 65536 }]);
    assert.deepEqual(b.uid, [{ containerID: 0, hostID: 265536, size: 65536 }]);
    assert.deepEqual(b.gid, [{ containerID: 0, hostID: 465536, size: 65536 }]);
    assert.throws(() => allocateIdMap(65536, dir, [], files), /no free range of 65536 uids/);
    releaseIdMap(a, files);
    assert.deepEqual(allocateIdMap(65536, dir, [], files).uid, a.uid, 'a released range is handed out again');
    fs.writeFileSync(uid, 'alice:100000:65536\n');
    assert.throws(() => allocateIdMap(1, dir, [], files), /has no range for "nscope"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ids between host and container: mapped ones shift, others are the overflow id', () => {
  const m = [{ containerID: 0, hostID: 200000, size: 65536 }];
  assert.equal(toContainerId(m, 200000), 0);
  assert.equal(toContainerId(m, 201000), 1000);
  assert.equal(toContainerId(m, 0), 65534);
  assert.equal(toContainerId(undefined, 1234), 1234);
  assert.equal(toHostId(m, 0), 200000);
  assert.equal(toHostId(m, 70000), undefined);
});
