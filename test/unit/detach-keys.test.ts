// Ctrl-P Ctrl-Q detaches `nscope attach`; a lone Ctrl-P still reaches the container.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachScanner } from '../../helper/cli/detach-keys';

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
