// Ctrl-P Ctrl-Q detaches `nscope attach`; a lone Ctrl-P still reaches the container.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachScanner, parseDetachKeys } from '../../helper/cli/detach-keys';

test('the sequence in one chunk, or split over two; what came before it is forwarded', () => {
  const s = detachScanner();
  assert.deepEqual(s(Buffer.from('ab\x10\x11cd')), { forward: Buffer.from('ab'), detach: true });
  const t = detachScanner();
  assert.deepEqual(t(Buffer.from('x\x10')), { forward: Buffer.from('x'), detach: false });
  assert.deepEqual(t(Buffer.from('\x11')), { forward: Buffer.alloc(0), detach: true });
});

test('a Ctrl-P not followed by Ctrl-Q is sent on, late but in order', () => {
  const s = detachScanner();
  assert.deepEqual(s(Buffer.from('\x10')), { forward: Buffer.alloc(0), detach: false });
  assert.deepEqual(s(Buffer.from('a')), { forward: Buffer.from('\x10a'), detach: false });
  assert.deepEqual(s(Buffer.from('\x10\x10\x11')), { forward: Buffer.from('\x10'), detach: true });
});

test('--detach-keys: Docker\'s ctrl-<key> and single characters; a sequence broken half way is sent on, and may begin again', () => {
  assert.deepEqual(parseDetachKeys(undefined), [0x10, 0x11]);
  assert.deepEqual(parseDetachKeys(''), [0x10, 0x11]);
  assert.deepEqual(parseDetachKeys('ctrl-a,d'), [0x01, 0x64]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'), [0, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]);
  assert.deepEqual(parseDetachKeys('ctrl-Z'), [0x1a]);
  assert.throws(() => parseDetachKeys('ctrl-ab'), /Unrecognized input: ctrl-ab/);
  assert.throws(() => parseDetachKeys('a,,b'), /Unrecognized input/);
  const s = detachScanner([1, 2, 3]);
  assert.deepEqual(s(Buffer.from([1, 2, 9])), { forward: Buffer.from([1, 2, 9]), detach: false });
  assert.deepEqual(s(Buffer.from([1, 1, 2])), { forward: Buffer.from([1]), detach: false });
  assert.deepEqual(s(Buffer.from([3])), { forward: Buffer.alloc(0), detach: true });
  const one = detachScanner([0x1d]);
  assert.deepEqual(one(Buffer.from('ab\x1dc')), { forward: Buffer.from('ab'), detach: true });
});
