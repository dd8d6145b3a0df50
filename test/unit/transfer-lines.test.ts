// A pull/push stream as the extension reads it: lines cut anywhere by the
// socket, and the notification's summary of layers and bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransferLine } from '../../helper/protocol/types';
import { transferLineReader } from '../../extension/transfer-lines';
import { TransferTally } from '../../extension/transfer-tally';

function read(chunks: (string | Buffer)[]): TransferLine[] {
  const out: TransferLine[] = [];
  const r = transferLineReader((l) => out.push(l));
  for (const c of chunks) r.write(c);
  r.end();
  return out;
}

test('lines split across chunks, and a UTF-8 character split across two, arrive whole', () => {
  const text = '{"kind":"status","status":"Résolving ünïcode"}\n{"kind":"progress","id":"0123456789ab","status":"Waiting"}\n';
  const bytes = Buffer.from(text);
  const cut = bytes.indexOf(Buffer.from('é')) + 1; // inside the two bytes of "é"
  const lines = read([bytes.subarray(0, cut), bytes.subarray(cut, 60), bytes.subarray(60)]);
  assert.deepEqual(lines, [
    { kind: 'status', status: 'Résolving ünïcode' },
    { kind: 'progress', id: '0123456789ab', status: 'Waiting' },
  ]);
});

test('the last line counts without its newline; blank, non-JSON and unknown kinds are skipped', () => {
  const lines = read(['\n{"kind":"status","status":"a"}\n', 'not json\n{"kind":"future","x":1}\n\n', '{"kind":"done","ref":"a:1","digest":"sha256:00"}']);
  assert.deepEqual(lines.map((l) => l.kind), ['status', 'done']);
});

test('pull: layers through and bytes moved; a layer already there leaves the byte count', () => {
  const t = new TransferTally();
  t.apply({ kind: 'status', status: 'Pulling from library/alpine' });
  assert.equal(t.summary, 'Pulling from library/alpine');
  assert.equal(t.fraction, 0);
  for (const id of ['aaa', 'bbb', 'ccc']) t.apply({ kind: 'progress', id, status: 'Waiting' });
  t.apply({ kind: 'progress', id: 'aaa', status: 'Already exists' });
  assert.equal(t.summary, '1/3 layers');
  assert.ok(Math.abs(t.fraction - 1 / 3) < 1e-9, 'no size known yet: the layers through');
  t.apply({ kind: 'progress', id: 'bbb', status: 'Downloading', current: 1024, total: 4096 });
  t.apply({ kind: 'progress', id: 'ccc', status: 'Downloading', current: 0, total: 4096 });
  assert.equal(t.summary, '1/3 layers · 1 KiB / 8 KiB');
  assert.equal(t.fraction, 1 / 8);
  // verifying means downloaded; Extracting's own counts are not transferred bytes
  t.apply({ kind: 'progress', id: 'bbb', status: 'Verifying Checksum' });
  t.apply({ kind: 'progress', id: 'bbb', status: 'Extracting', current: 10, total: 99999 });
  assert.equal(t.summary, '1/3 layers · 4 KiB / 8 KiB');
  t.apply({ kind: 'progress', id: 'bbb', status: 'Pull complete' });
  t.apply({ kind: 'progress', id: 'ccc', status: 'Downloading', current: 4096, total: 4096 });
  t.apply({ kind: 'progress', id: 'ccc', status: 'Pull complete' });
  assert.equal(t.summary, '3/3 layers · 8 KiB / 8 KiB');
  assert.equal(t.fraction, 1);
});

test('push: Pushed, Mounted and Layer already exists are through; one layer is singular', () => {
  const t = new TransferTally();
  t.apply({ kind: 'progress', id: 'aaa', status: 'Preparing' });
  assert.equal(t.summary, '0/1 layer');
  t.apply({ kind: 'progress', id: 'aaa', status: 'Pushing', current: 512, total: 2048 });
  assert.equal(t.summary, '0/1 layer · 512 B / 2 KiB');
  t.apply({ kind: 'progress', id: 'aaa', status: 'Pushed' });
  t.apply({ kind: 'progress', id: 'bbb', status: 'Mounted' });
  t.apply({ kind: 'progress', id: 'ccc', status: 'Layer already exists' });
  assert.equal(t.summary, '3/3 layers · 2 KiB / 2 KiB');
});
