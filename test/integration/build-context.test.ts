// `nscope build` takes COPY/ADD sources from the build context only: symlinks
// on a source's way (and a source that is a symlink) are followed inside the
// context as if it were "/", as BuildKit does, so a context cannot ship the
// host's files (a repository with `root -> /` and `COPY root/etc/shadow`);
// links inside a copied folder stay links; .dockerignore applies to where a
// link leads too.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: the context is the root of every COPY', () => {
  let d: TestDaemon;
  let work: string;
  let ctx: string;
  let env: NodeJS.ProcessEnv;
  const build = (file: string) => {
    fs.writeFileSync(path.join(ctx, 'Containerfile'), file);
    return d.cli(['build', '-t', 'ctx-test', ctx], { env });
  };
  const cat = async (file: string) => {
    const r = await d.cli(['run', '--rm', '--network', 'none', 'ctx-test', 'cat', file]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    d = await startWithImage('buildctx');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-buildctx-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
    ctx = path.join(work, 'ctx');
    fs.mkdirSync(path.join(ctx, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(ctx, 'tree'));
    fs.writeFileSync(path.join(work, 'outside.txt'), 'host file\n');
    fs.writeFileSync(path.join(ctx, 'etc', 'hostname'), 'the context\'s own\n');
    fs.writeFileSync(path.join(ctx, 'private.key'), 'ignored\n');
    fs.writeFileSync(path.join(ctx, '.dockerignore'), '*.key\n');
    fs.symlinkSync('/', path.join(ctx, 'root'));
    fs.symlinkSync('../../../../..', path.join(ctx, 'up'));
    fs.symlinkSync(path.join(work, 'outside.txt'), path.join(ctx, 'abs-out'));
    fs.symlinkSync('/etc/hostname', path.join(ctx, 'name'));
    fs.symlinkSync('private.key', path.join(ctx, 'key'));
    fs.symlinkSync('/etc/hostname', path.join(ctx, 'tree', 'kept-link'));
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('links on the way and at the end lead into the context, never to the host', async () => {
    let r = await build('FROM host\nCOPY root/etc/hostname /a\nCOPY up/etc/hostname /b\nCOPY name /c\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await cat('/a'), 'the context\'s own\n');
    assert.equal(await cat('/b'), 'the context\'s own\n');
    assert.equal(await cat('/c'), 'the context\'s own\n');
    // the absolute link's target, taken inside the context, is not there
    r = await build(`FROM host\nCOPY abs-out /d\n`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /COPY \(line 2\): "abs-out" is not in the build context/);
    r = await build(`FROM host\nCOPY root${work}/outside.txt /d\n`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not in the build context/);
  });

  test('a link to an ignored file is ignored; a folder keeps its links as links', async () => {
    const r = await build('FROM host\nCOPY key /k\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /"key" is not in the build context \(\.dockerignore leaves it out\)/);
    assert.equal((await build('FROM host\nCOPY tree /tree\n')).code, 0);
    const l = await d.cli(['run', '--rm', '--network', 'none', 'ctx-test', 'ls', '-l', '/tree/kept-link']);
    assert.match(l.stdout, /kept-link -> \/etc\/hostname/);
  });
});
