// More of `nscope build` against what `docker build` makes of the same
// Dockerfile (BuildKit, Docker's default, where its classic builder differs):
// the build arguments a build has without an ARG (the --build-arg proxy
// variables in every RUN, TARGETARCH and the other platform ones), the
// warning for a --build-arg nothing used, ADD unpacking a local archive told
// by its bytes (xz, bzip2, a tar of any name) and copying anything else as
// it is, WORKDIR's folders owned by the USER of the moment, `--chown=:GROUP`
// and the folders --chown makes, a stage starting with the ARGs of the stage
// it is FROM, `NAME.Dockerfile.dockerignore`, `!` lines below a folder left
// out, and the parser's refusals (a flag an instruction does not take, COPY
// --parents, ARG, WORKDIR or VOLUME with nothing, a bad FROM) before the
// first step; LABEL "a key with blanks"=v; a RUN heredoc with a #! line;
// --build-arg NAME with no such variable.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: more Dockerfiles built as docker build builds them', () => {
  let d: TestDaemon;
  let work: string;
  let ctx: string;
  let env: NodeJS.ProcessEnv;
  const build = (file: string, args: string[] = []) => {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), file);
    return d.cli(['build', '-t', 'parity2', ...args, ctx], { env });
  };
  const sh = async (script: string) => {
    const r = await d.cli(['run', '--rm', '--network', 'none', 'parity2', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    d = await startWithImage('buildparity2');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-buildparity2-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
    ctx = path.join(work, 'ctx');
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(src, 'inner.txt'), 'inner\n');
    fs.writeFileSync(path.join(ctx, 'a.txt'), 'a\n');
    for (const [name, flag] of [['app.tar.xz', '-cJf'], ['app.tar.bz2', '-cjf'], ['data.bin', '-cf']]) execFileSync('tar', ['-C', src, flag, path.join(ctx, name), 'inner.txt']);
    fs.writeFileSync(path.join(ctx, 'fake.tar'), 'not a tar\n');
    execFileSync('sh', ['-c', `echo zipped | gzip > ${path.join(ctx, 'note.gz')}`]);
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('build arguments without an ARG: the --build-arg proxy variables reach every RUN, the platform ones are set; an unused --build-arg is warned of', async () => {
    const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
    const r = await build([
      'FROM --platform=$BUILDPLATFORM host AS first', 'RUN echo "first $HTTP_PROXY $no_proxy" > /proxy',
      'FROM host', 'ARG TARGETPLATFORM', 'ARG TARGETARCH', 'ARG BUILDOS', 'ENV TP=$TARGETPLATFORM TA=$TARGETARCH BO=$BUILDOS',
      'COPY --from=first /proxy /first', 'RUN echo "second $HTTP_PROXY" > /proxy', '',
    ].join('\n'), ['--build-arg', 'HTTP_PROXY=http://proxy.example:3128', '--build-arg', 'no_proxy=localhost', '--build-arg', 'NOTUSED=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('cat /first /proxy; echo "$TP $TA $BO"'), `first http://proxy.example:3128 localhost\nsecond http://proxy.example:3128\nlinux/${arch} ${arch} linux\n`);
    assert.match(r.stdout, /\[Warning\] One or more build-args \[NOTUSED\] were not consumed\n/);
    // the proxy's value is in no image's config or history (it may hold a password)
    const inspect = await d.cli(['image', 'inspect', 'parity2']);
    assert.doesNotMatch(inspect.stdout, /proxy\.example/);
  });

  test('--build-arg NAME takes the variable\'s value; with no such variable the ARG keeps its default (Docker\'s CLI)', async () => {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM host\nARG UNSET_ONE=default\nARG FROM_ENV=default\nENV U=$UNSET_ONE E=$FROM_ENV\n');
    const r = await d.cli(['build', '-t', 'parity2', '--build-arg', 'UNSET_ONE', '--build-arg', 'FROM_ENV', ctx], { env: { ...env, FROM_ENV: 'from the environment', UNSET_ONE: undefined } });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse((await d.cli(['image', 'inspect', 'parity2'])).stdout)[0].Config;
    assert.deepEqual(c.Env.slice(1), ['U=default', 'E=from the environment']);
  });

  test('ADD unpacks a local archive told by its bytes (xz, bzip2, a tar of any name); anything else is copied as it is', async () => {
    const r = await build('FROM host\nADD app.tar.xz /xz/\nADD app.tar.bz2 /bz\nADD data.bin /bin-tar/\nADD fake.tar note.gz /as-is/\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('cat /xz/inner.txt /bz/inner.txt /bin-tar/inner.txt /as-is/fake.tar; ls /as-is'), 'inner\ninner\ninner\nnot a tar\nfake.tar\nnote.gz\n');
  });

  test('WORKDIR makes its missing folders owned by the USER then, as BuildKit (those there stay), at a stage\'s end too', async () => {
    const r = await build('FROM host\nUSER nobody\nWORKDIR /tmp/w/x\nRUN touch here\nUSER root\nWORKDIR /rootdir\nUSER nobody\nWORKDIR /end\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('stat -c "%n %u:%g %a" /tmp /tmp/w /tmp/w/x /tmp/w/x/here /rootdir /end'),
      '/tmp 0:0 1777\n/tmp/w 65534:65534 755\n/tmp/w/x 65534:65534 755\n/tmp/w/x/here 65534:65534 644\n/rootdir 0:0 755\n/end 65534:65534 755\n');
    // again: every step from the cache, the same image
    const again = await build('FROM host\nUSER nobody\nWORKDIR /tmp/w/x\nRUN touch here\nUSER root\nWORKDIR /rootdir\nUSER nobody\nWORKDIR /end\n');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.match(/Using cache/g)?.length, 1, again.stdout);
    assert.equal(again.stdout.match(/Successfully built \w+/)?.[0], r.stdout.match(/Successfully built \w+/)?.[0]);
  });

  test('LABEL "a key with blanks"=v k=$V: the = form, as Docker\'s parser splits words at blanks outside quotes', async () => {
    const r = await build('FROM host\nARG V=1\nARG F=/opt/app-1.2.tar.gz\nLABEL "key with space"="v w" k2=${V}\nLABEL legacy value with blanks\nLABEL base=${F##*/} version=${F%.tar.gz}\n');
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse((await d.cli(['image', 'inspect', 'parity2'])).stdout)[0].Config;
    // (and Dockerfile 1.7's ${F##*/}, ${F%.tar.gz})
    assert.deepEqual(c.Labels, { 'key with space': 'v w', k2: '1', legacy: 'value with blanks', base: 'app-1.2.tar.gz', version: '/opt/app-1.2' });
  });

  test('RUN <<EOF starting with #!: run by that interpreter (the rest of the line its one argument), the script in no layer', async () => {
    const r = await build('FROM host\nRUN <<EOF\n#!/bin/cat\nprinted, not run\nEOF\nRUN <<EOF\n#!/bin/sh -e\necho "flags $-" > /flags\nEOF\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /#!\/bin\/cat\nprinted, not run\n/);
    assert.equal(await sh('cat /flags'), 'flags e\n');
    assert.doesNotMatch(await sh('ls -a /'), /heredoc/);
  });

  test('COPY --chown=:GROUP is root with that group, as BuildKit', async () => {
    const r = await build('FROM host\nCOPY --chown=:nogroup a.txt /a\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('stat -c "%u:%g" /a'), '0:65534\n');
  });

  test('a stage FROM an earlier stage starts with its ARGs, as BuildKit\'s does', async () => {
    const r = await build('ARG V=global\nFROM host AS base\nARG V\nARG W=w1\nFROM base\nRUN echo "V=$V W=$W" > /args\n', ['--build-arg', 'W=cli']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('cat /args'), 'V=global W=cli\n');
  });

  test('an ignore file named after the Containerfile, next to it, wins over the context\'s .dockerignore (BuildKit)', async () => {
    fs.mkdirSync(path.join(ctx, 'ci'), { recursive: true });
    fs.writeFileSync(path.join(ctx, '.dockerignore'), 'a.txt\n');
    fs.writeFileSync(path.join(ctx, 'ci', 'dev.Dockerfile'), 'FROM host\nCOPY a.txt fake.tar /in/\n');
    fs.writeFileSync(path.join(ctx, 'ci', 'dev.Dockerfile.dockerignore'), 'fake.tar\n');
    try {
      let r = await d.cli(['build', '-t', 'parity2', '-f', path.join(ctx, 'ci', 'dev.Dockerfile'), ctx], { env });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /"fake\.tar" is not in the build context \(\.dockerignore leaves it out\)/);
      fs.writeFileSync(path.join(ctx, 'ci', 'dev.Dockerfile'), 'FROM host\nCOPY a.txt /in/\n');
      r = await d.cli(['build', '-t', 'parity2', '-f', path.join(ctx, 'ci', 'dev.Dockerfile'), ctx], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await sh('cat /in/a.txt'), 'a\n');
    } finally {
      fs.rmSync(path.join(ctx, 'ci'), { recursive: true });
      fs.rmSync(path.join(ctx, '.dockerignore'));
    }
  });

  test('.dockerignore: a folder left out keeps what a later ! line brings back below it, as Docker walks into it', async () => {
    const nm = path.join(ctx, 'node_modules');
    fs.mkdirSync(path.join(nm, 'keep'), { recursive: true });
    fs.mkdirSync(path.join(nm, 'gone'), { recursive: true });
    for (const f of ['a.js', 'keep/k.js', 'gone/g.js']) fs.writeFileSync(path.join(nm, f), 'x\n');
    fs.writeFileSync(path.join(ctx, '.dockerignore'), '/node_modules\n!node_modules/keep\n');
    try {
      const r = await build('FROM host\nCOPY . /all/\nCOPY node_modules /nm/\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await sh('ls /all/node_modules /nm'), '/all/node_modules:\nkeep\n\n/nm:\nkeep\n');
    } finally {
      fs.rmSync(nm, { recursive: true });
      fs.rmSync(path.join(ctx, '.dockerignore'));
    }
  });

  test('COPY --chown owns the folders it makes on the way to its destination (those there stay)', async () => {
    const r = await build('FROM host\nCOPY --chown=nobody a.txt /deep/er/file\nCOPY --chown=nobody a.txt /tmp/new/\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('stat -c "%n %u:%g" /deep /deep/er /deep/er/file /tmp /tmp/new /tmp/new/a.txt'),
      '/deep 65534:65534\n/deep/er 65534:65534\n/deep/er/file 65534:65534\n/tmp 0:0\n/tmp/new 65534:65534\n/tmp/new/a.txt 65534:65534\n');
  });

  test('a flag an instruction does not take, COPY --parents, ARG, WORKDIR or VOLUME with nothing, a bad FROM: refused at their line before the first step', async () => {
    for (const [line, message] of [
      ['COPY --chwon=nobody a.txt /a', 'Dockerfile:3: COPY: unknown flag --chwon (it takes --from, --chown, --chmod, --link)'],
      ['COPY --parents a.txt /p/', 'Dockerfile:3: COPY --parents (keeping the sources\' parent folders) is not supported by nscope build yet'],
      ['ENV --x=1 A=1', 'Dockerfile:3: ENV: unknown flag --x (it takes none)'],
      ['ARG', 'Dockerfile:3: ARG requires at least one argument'],
      ['WORKDIR', 'Dockerfile:3: WORKDIR requires exactly one argument'],
      ['VOLUME', 'Dockerfile:3: VOLUME requires at least one argument'],
      ['FROM host AS', 'Dockerfile:3: FROM requires either one or three arguments (FROM IMAGE [AS NAME])'],
      ['FROM host AS 2nd', 'Dockerfile:3: invalid name for build stage: "2nd", name can\'t start with a number or contain symbols'],
    ]) {
      const r = await build(`FROM host\nRUN echo never ran\n${line}\n`);
      assert.equal(r.code, 1, line);
      assert.equal(r.stderr.trim(), `nscope: ${message}`, line);
      assert.doesNotMatch(r.stdout, /Step/, line);
    }
  });
});
