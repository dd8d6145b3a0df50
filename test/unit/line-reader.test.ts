// The helper's newline-delimited JSON framing (helper/server/framing.ts):
// lines split across chunks and several in one chunk, blank lines skipped,
// a line longer than the bound refused once, a handler that switches the
// connection to a raw stream gets every byte after its line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineBudget, LineReader, MAX_LINE } from '../../helper/server/framing';

test('lines across and within chunks; blank lines skipped', () => {
  const got: string[] = [];
  const r = new LineReader((l) => got.push(l), () => assert.fail('no overflow'));
  for (const c of ['{"a":', '1}\n\n{"b"', ':2}\n{"c":3}\n{"d', '":4}\n']) r.push(Buffer.from(c));
  assert.deepEqual(got, ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
  // a multi-byte character cut between chunks is whole in its line
  const euro = Buffer.from('"€"\n');
  r.push(euro.subarray(0, 2));
  r.push(euro.subarray(2));
  assert.equal(got.at(-1), '"€"');
});

test('a handler that stops mid-chunk: stop() returns every byte after its line, in order', () => {
  let r: LineReader;
  let rest: Buffer | undefined;
  r = new LineReader((l) => { if (l === 'open') rest = r.stop(); }, () => assert.fail('no overflow'));
  r.push(Buffer.from('op'));
  r.push(Buffer.from('en\nraw-1'));
  assert.equal(rest?.toString(), 'raw-1');
  r.push(Buffer.from('ignored\n'));
  // stopped between chunks: the partial line kept
  const r2 = new LineReader(() => undefined, () => undefined);
  r2.push(Buffer.from('first\npart'));
  r2.push(Buffer.from('ial'));
  assert.equal(r2.stop().toString(), 'partial');
});

test('a line over the bound, in small chunks: overflow once, nothing more parsed', () => {
  let overflows = 0;
  const lines: string[] = [];
  const r = new LineReader((l) => lines.push(l), () => { overflows++; });
  const piece = Buffer.alloc(64 * 1024, 0x61);
  for (let n = 0; n <= MAX_LINE; n += piece.length) r.push(piece);
  r.push(Buffer.from('\n{"late":1}\n'));
  assert.equal(overflows, 1);
  assert.deepEqual(lines, []);
});

test('readers sharing a budget: the one that would pass it is refused ("total"), the bytes of finished, stopped and closed lines given back', () => {
  const budget = new LineBudget(10);
  const why: string[] = [];
  const a = new LineReader(() => undefined, (w) => why.push(`a:${w}`), budget);
  const b = new LineReader(() => undefined, (w) => why.push(`b:${w}`), budget);
  a.push(Buffer.from('123456'));
  assert.equal(budget.used, 6);
  b.push(Buffer.from('abcdef'));
  assert.deepEqual(why, ['b:total']);
  assert.equal(budget.used, 6, 'b\'s bytes are not kept');
  a.push(Buffer.from('7\n'));
  assert.equal(budget.used, 0, 'a finished line gives its bytes back');
  a.push(Buffer.from('xyz'));
  const c = new LineReader(() => undefined, (w) => why.push(`c:${w}`), budget);
  c.push(Buffer.from('1234567'));
  assert.deepEqual(why, ['b:total'], 'room for c: 3 + 7');
  a.dispose();
  c.stop();
  assert.equal(budget.used, 0, 'a closed connection and a stopped one give theirs back');
});
