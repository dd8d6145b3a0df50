// `nscope build` on Dockerfiles as real projects write them, each checked
// against what `docker build` (its classic builder, or BuildKit where that is
// the only one with the feature) makes of the same file: variables read once
// by Docker's lexer (quotes, `\$`, an ARG's blanks), COPY wildcards in the
// context and in another stage, heredocs, a cache that ignores file times,
// the Containerfile from stdin, and config mistakes stopped at their line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: Dockerfiles built as docker build builds them', () => {
  let d: TestDaemon;
  let work: string;
  let ctx: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const build = (file: string, args: string[] = []) => {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), file);
    return d.cli(['build', '-t', 'parity', ...args, ctx], { env });
  };
  const config = async (ref = 'parity') => {
    const r = await d.cli(['image', 'inspect', ref]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { Config: Record<string, unknown> }[])[0].Config;
  };
  const sh = async (script: string) => {
    const r = await d.cli(['run', '--rm', '--network', 'none', 'parity', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    d = await startWithImage('buildparity');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-buildparity-'));
    tmp = path.join(work, 'tmp');
    fs.mkdirSync(tmp);
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache'), TMPDIR: tmp };
    ctx = path.join(work, 'ctx');
    fs.mkdirSync(path.join(ctx, 'sub', 'inner'), { recursive: true });
    for (const [f, body] of [['a.txt', 'a\n'], ['b.txt', 'b\n'], ['c.md', 'c\n'], ['sub/s.txt', 's\n'], ['sub/secret', 'no\n'], ['sub/inner/i.txt', 'i\n']]) fs.writeFileSync(path.join(ctx, f), body);
    fs.symlinkSync('sub', path.join(ctx, 'dirlink'));
    fs.writeFileSync(path.join(ctx, '.dockerignore'), 'sub/secret\n');
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('variables are read once, as Docker\'s lexer reads them: \\$ and \'$X\' stay, an ARG\'s blanks stay in one value, ENV wins over ARG', async () => {
    const r = await build([
      'ARG G=global', 'ARG H=hglobal', 'FROM host', 'ARG G=stage', 'ARG H', 'ARG V="a b"', 'ARG P', 'ARG X=fromarg', 'ENV X=fromenv', 'ARG SRC=a.txt', 'COPY ["$SRC", "/json/"]',
      'ENV F=\\$HOME Q=\'$V\' Y=$V Z="${V}-z" P2=$P D=${UNSET:-dflt} E=${V:+set}',
      'ENV OLD legacy  $V  \'q  r\'',
      'LABEL l1="$V" l2=\'$V\' "l 3"=x g=$G h=$H x=$X',
      'WORKDIR "/my dir/$G"', 'USER ${U:-1234}', 'STOPSIGNAL ${SIG:-SIGINT}', 'EXPOSE ${PORT:-9000} 53/udp', 'VOLUME /v$G', 'VOLUME ["/j$H"]',
      '',
    ].join('\n'), ['--build-arg', 'P=x$y']);
    assert.equal(r.code, 0, r.stderr);
    const c = await config();
    assert.deepEqual((c.Env as string[]).slice(1), ['X=fromenv', 'F=$HOME', 'Q=$V', 'Y=a b', 'Z=a b-z', 'P2=x$y', 'D=dflt', 'E=set', 'OLD=legacy  a b  q  r']);
    assert.deepEqual(c.Labels, { l1: 'a b', l2: '$V', 'l 3': 'x', g: 'stage', h: 'hglobal', x: 'fromenv' });
    assert.equal(c.WorkingDir, '/my dir/stage');
    assert.equal(c.User, '1234');
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.ExposedPorts, { '9000/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Volumes, { '/vstage': {}, '/jhglobal': {} });
    assert.equal(await sh('cat /json/a.txt'), 'a\n');
    // the history of the stage's config-only end shows the instructions as written
    const h = await d.cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'parity']);
    assert.match(h.stdout, /ENV OLD legacy {2}\$V {2}'q {2}r'/);
  });

  test('COPY wildcards in the context and in another stage; a folder through a link keeps .dockerignore; --chmod is part of a --from key', async () => {
    let r = await build([
      'FROM host AS build', 'RUN mkdir -p /app/lib && echo 1 > /app/a.jar && echo 2 > /app/b.jar && echo 3 > /app/c.txt',
      'FROM host', 'COPY *.txt /t/', 'COPY sub/* /glob/', 'COPY [ab].txt /class/', 'COPY dirlink /dl', 'COPY --from=build /app/*.jar /jars/', 'COPY --from=build --chmod=600 /app/c.txt /c', '',
    ].join('\n'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('ls /t /glob /class /dl /jars; stat -c %a /c'), '/class:\na.txt\nb.txt\n\n/dl:\ninner\ns.txt\n\n/glob:\ni.txt\ns.txt\n\n/jars:\na.jar\nb.jar\n\n/t:\na.txt\nb.txt\n600\n');
    r = await build('FROM host AS build\nRUN mkdir -p /app/lib && echo 1 > /app/a.jar && echo 2 > /app/b.jar && echo 3 > /app/c.txt\nFROM host\nCOPY --from=build --chmod=644 /app/c.txt /c\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('stat -c %a /c'), '644\n');
    r = await build('FROM host\nCOPY *.txt /one\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /COPY \(line 2\): with more than one source \(a wildcard matched several\), the destination must end with \//);
    r = await build('FROM host\nCOPY *.nope /x/\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /COPY \(line 2\): no source files were specified: nothing in the build context matches "\*\.nope"/);
  });

  test('heredocs: RUN <<EOF alone is the script, `cat <<EOF > file` is the shell\'s; COPY <<EOF makes the file, $VARs expanded unless quoted', async () => {
    const r = await build([
      'FROM host', 'ARG WHO=world', 'RUN <<EOF', 'echo "hello $WHO" > /hello', 'EOF',
      'RUN cat <<EOF > /conf', 'key = "$WHO"', 'EOF', 'RUN cat <<\'EOF\' > /raw', 'literal $WHO', 'EOF',
      'COPY <<EOF /etc/greet', 'greeting for ${WHO}', 'EOF', 'COPY <<"EOF" /etc/', 'as is $WHO', 'EOF', '',
    ].join('\n'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('cat /hello /conf /raw /etc/greet /etc/EOF'), 'hello world\nkey = "world"\nliteral $WHO\ngreeting for world\nas is $WHO\n');
  });

  test('the layer cache ignores file times (a touch, a fresh clone) and misses on changed bytes', async () => {
    const file = 'FROM host\nCOPY . /all/\nRUN ls /all > /list\n';
    assert.equal((await build(file)).code, 0);
    const now = new Date();
    fs.utimesSync(path.join(ctx, 'a.txt'), now, new Date(now.getTime() + 60000));
    let r = await build(file);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/Using cache/g)?.length, 2, r.stdout);
    fs.writeFileSync(path.join(ctx, 'a.txt'), 'a2\n');
    r = await build(file);
    assert.equal(r.stdout.match(/Using cache/g), null, r.stdout);
    fs.writeFileSync(path.join(ctx, 'a.txt'), 'a\n');
  });

  test('the Containerfile from stdin: -f - with a context, `build -` with none; stdin twice refused; no temp folder left', async () => {
    let r = await d.cli(['build', '-q', '-t', 'parity', '-f', '-', ctx], { env, input: 'FROM host\nCOPY a.txt /from-stdin\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sh('cat /from-stdin'), 'a\n');
    r = await d.cli(['build', '-t', 'parity', '-'], { env, input: 'FROM host\nRUN echo no context\nLABEL stdin=yes\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await config()).Labels, { stdin: 'yes' });
    r = await d.cli(['build', '-'], { env, input: 'FROM host\nCOPY a.txt /x\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /"a\.txt" is not in the build context/);
    r = await d.cli(['build', '-f', '-', '-'], { env, input: 'FROM host\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /can't use stdin for both build context and dockerfile/);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  test('a bad config instruction stops the build at its line, before the steps after it; a stage name used twice is refused', async () => {
    let r = await build('FROM host\nEXPOSE abc\nRUN echo never ran\n');
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'nscope: Dockerfile:2: EXPOSE: "abc" is not a port or port range (80, 80/udp, 8000-8010)');
    assert.doesNotMatch(r.stdout, /never ran/);
    r = await build('FROM host AS a\nRUN true\nFROM host AS A\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Dockerfile:3: a stage name already used: a/);
    assert.doesNotMatch(r.stdout, /Step/);
  });

  test('ONBUILD: recorded as written, run first by a build FROM the image (the child\'s context, its ARGs), not passed on; refused where Docker refuses it', async () => {
    // (`image build`: Docker's other name for build)
    let r = await d.cli(['image', 'build', '-t', 'onbase', '-f', '-', ctx], { env, input: 'FROM host\nONBUILD ARG WHO=trigger\nONBUILD RUN echo "run by $WHO" > /t.txt\nONBUILD COPY a.txt /from-child/\nLABEL base=1\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await config('onbase')).OnBuild, ['ARG WHO=trigger', 'RUN echo "run by $WHO" > /t.txt', 'COPY a.txt /from-child/']);
    r = await build('FROM onbase\nONBUILD RUN echo own\nRUN cat /t.txt /from-child/a.txt\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# Executing 3 build triggers\nTrigger 1\/3 : ARG WHO=trigger\n/);
    assert.match(r.stdout, /run by trigger\na\n/);
    assert.deepEqual((await config()).OnBuild, ['RUN echo own'], 'the base\'s triggers are not passed on');
    // again: from the cache
    r = await build('FROM onbase\nONBUILD RUN echo own\nRUN cat /t.txt /from-child/a.txt\n');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /run by trigger/);
    for (const [line, message] of [
      ['ONBUILD ONBUILD RUN true', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed'],
      ['ONBUILD FROM host', 'FROM isn\'t allowed as an ONBUILD trigger'],
      ['ONBUILD', 'ONBUILD needs an instruction to run later'],
    ]) {
      r = await build(`FROM host\n${line}\n`);
      assert.notEqual(r.code, 0, line);
      assert.match(r.stderr, new RegExp(`Dockerfile:2: ONBUILD.*${message.replace(/[.*()\[\]`]/g, '\\$&')}`), line);
    }
    // a failing trigger is reported at the FROM that ran it
    r = await d.cli(['build', '-t', 'onbad', '-f', '-', ctx], { env, input: 'FROM host\nONBUILD RUN exit 7\n' });
    assert.equal(r.code, 0, r.stderr);
    r = await build('FROM host\nRUN true\nFROM onbad\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /returned a non-zero code: 7 \(Dockerfile:3/);
    r = await d.cli(['image', 'rm', 'onbad']);
    assert.equal(r.code, 0, r.stderr);
    // MAINTAINER: the image's author, as Docker records it, kept by the steps after it
    r = await build('FROM host\nMAINTAINER Jane Doe <jane@example.com>\nRUN true\nENV X=1\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await d.cli(['image', 'inspect', '-f', '{{.Author}}', 'parity'])).stdout.trim(), 'Jane Doe <jane@example.com>');
    assert.match((await d.cli(['history', '--no-trunc', 'parity'])).stdout, /MAINTAINER Jane Doe/);
  });

  test('Ctrl-C during a RUN stops the build (130) and removes the step\'s container, as Docker does', async () => {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM host\nRUN echo started && sleep 60\n');
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', d.socket, 'build', '--no-cache', ctx], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    const t0 = Date.now();
    while (!out.includes('started') && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGINT');
    assert.equal(await exited, 130, `${out}${err}`);
    assert.match(err, /the build was interrupted/);
    assert.equal((await d.cli(['ps', '-aq'])).stdout, '');
  });
});
