// Import over the connection (stream kind `image-import`): what Import Image…
// and `nscope image import` use when the helper cannot open the client's path
// (a host over ssh; stdin). A real daemon; an archive exported from it. The
// stream's refusals: a cut upload (fewer bytes than announced), more than
// announced, a bad size, bytes that are no archive — each one line, nothing
// imported, no temp dir left behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStreamWithResult, type HelperClient } from '../../helper/protocol/client';
import { sendImport } from '../../helper/images/send-import';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

/** Where the archive's last entry's header starts (plain ustar headers, as `nscope image export` writes). */
function lastEntryStart(tar: Buffer): number {
  let at = 0;
  let last = 0;
  while (at + 512 <= tar.length && tar[at] !== 0) {
    last = at;
    const size = parseInt(tar.subarray(at + 124, at + 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  assert.ok(last > 0, 'the archive has several entries');
  return last;
}

describe('image import as a stream', () => {
  let d: TestDaemon;
  let c: HelperClient;
  let archive = '';
  const tmpLeft = () => {
    const t = path.join(d.root, 'images', '.tmp');
    return fs.existsSync(t) ? fs.readdirSync(t) : [];
  };
  const names = async () => (await c.request('image.list', {})).map((i) => i.name).sort();

  /** A raw stream: `bytes` sent as the body of an image-import announcing `size`; the helper's answer line. */
  const raw = async (bytes: Buffer, size?: number): Promise<string> => {
    const { sock } = await openStreamWithResult(d.socket, { kind: 'image-import', name: 'raw:cut', ...(size !== undefined ? { size } : {}) });
    let reply = '';
    sock.setEncoding('utf8');
    sock.on('data', (s: string) => { reply += s; });
    sock.on('error', () => undefined);
    sock.resume();
    sock.end(bytes);
    await new Promise((r) => sock.once('close', r));
    return reply.trim();
  };

  before(async () => {
    d = await startWithImage('import-stream');
    c = await d.client();
    archive = path.join(d.dir, 'host.tar');
    const ex = await d.cli(['image', 'export', 'host', archive]);
    assert.equal(ex.code, 0, ex.stderr);
  });

  after(async () => { assert.deepEqual(await d.cleanup(), []); });

  test('a whole archive streamed is imported under the name given; stdin too', async () => {
    const got = await sendImport(d.socket, archive, 'streamed:1');
    assert.deepEqual(got.map((i) => i.name), ['streamed:1']);
    const run = await d.cli(['run', '--rm', '--network', 'none', 'streamed:1', 'echo', 'from the streamed image']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'from the streamed image\n');
    const stdin = await d.cli(['image', 'import', '--name', 'streamed:stdin', '-'], { input: fs.readFileSync(archive) as unknown as string });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.match(stdin.stdout, /^Loaded image: streamed:stdin \(/);
    assert.deepEqual(tmpLeft(), []);
  });

  test('refused in one line, nothing imported, nothing left: cut, too long, a bad size, no archive', async () => {
    const whole = fs.readFileSync(archive);
    const before = await names();
    // cut between two entries: it would parse as a shorter, valid archive; the announced size tells it is not
    const cut = whole.subarray(0, lastEntryStart(whole));
    assert.match(await raw(cut, whole.length), /"error":"image-import: the upload ended after \d+ of \d+ bytes; nothing imported"/);
    assert.match(await raw(whole, whole.length - 1), /more than the \d+ bytes announced/);
    assert.match(await raw(Buffer.from('this is not a tar archive, not even one block of it'), 51), /"error":"archive: /);
    for (const size of [-1, 1.5, 1e300, '12' as unknown as number]) {
      await assert.rejects(openStreamWithResult(d.socket, { kind: 'image-import', size }), /image-import: size .* is not a whole number of bytes/);
    }
    await assert.rejects(sendImport(d.socket, path.join(d.dir, 'missing.tar')), /missing\.tar: no such file/);
    await assert.rejects(sendImport(d.socket, d.dir), /is a directory, not an image archive/);
    assert.deepEqual(await names(), before);
    assert.deepEqual(tmpLeft(), []);
  });
});
