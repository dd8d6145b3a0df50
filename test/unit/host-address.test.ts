// The ssh command line that reaches a remote helper: the remote shell sees a
// host URL's socket path as one plain word, whatever it holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { parseHost, shellQuote, sshArgs } from '../../helper/protocol/host';

test('a socket path from a host URL reaches the remote shell as one word, nothing run', () => {
  for (const socket of ['/run/nscope/nscope.sock', '/tmp/a b.sock', "/tmp/it's", '/tmp/x;touch /tmp/pwned', '/tmp/$(id)', '/tmp/`id`', '/tmp/a\nb']) {
    const [w] = execFileSync('sh', ['-c', `printf '%s\\0' ${shellQuote(socket)}`]).toString().split('\0');
    assert.equal(w, socket);
  }
  const h = parseHost('ssh://me@box:2222/tmp/x%3Btouch%20%2Ftmp%2Fpwned');
  assert.equal(h.kind, 'ssh');
  if (h.kind !== 'ssh') return;
  assert.equal(h.socket, '/tmp/x;touch /tmp/pwned');
  const args = sshArgs(h);
  assert.deepEqual(args.slice(args.indexOf('--')), ['--', 'box', 'nscope', '--socket', "'/tmp/x;touch /tmp/pwned'", 'dial-stdio']);
  assert.deepEqual(args.slice(args.indexOf('-p'), args.indexOf('-p') + 4), ['-p', '2222', '-l', 'me']);
});
