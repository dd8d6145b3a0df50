// `nscope build` given mistakes and hostile input (issue 14): a missing
// context or Containerfile, paths out of the context, unknown images and
// stages, bad names, bad numbers in EXPOSE / HEALTHCHECK / --chmod, unknown
// instructions. Each fails in one line naming what was wrong (and the line,
// where there is one), exit status not 0, and leaves no image, layer or
// container behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

describe('nscope build: refusals', () => {
  let d: TestDaemon;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const layers = () => fs.readdirSync(path.join(d.root, 'layers')).sort();
  const images = async () => (await d.cli(['images', '-q', '--no-trunc'])).stdout;

  before(async () => {
    d = await startWithImage('build-hostile');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-hostile-'));
    env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
    fs.writeFileSync(path.join(work, 'in.txt'), 'in the context\n');
    // a good Containerfile: the bad tags below are what is wrong
    fs.writeFileSync(path.join(work, 'Containerfile'), 'FROM host\nCOPY in.txt /\n');
  });

  after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  const cases: [string, string, RegExp][] = [
    ['copy-up', 'FROM host\nCOPY ../etc/passwd /x\n', /COPY.*\.\.\/etc\/passwd|outside the (build )?context/i],
    ['copy-missing', 'FROM host\nCOPY nope.txt /x\n', /nope\.txt/],
    ['from-unknown', 'FROM no-such-image-here:1\nRUN true\n', /no-such-image-here/],
    ['from-stage', 'FROM host\nCOPY --from=nostage /x /y\n', /nostage/],
    ['unknown-instruction', 'FROM host\nFROBNICATE now\n', /FROBNICATE|unknown instruction/i],
    ['expose-huge', 'FROM host\nEXPOSE 99999999999999999999\n', /EXPOSE|port/i],
    ['expose-negative', 'FROM host\nEXPOSE -1\n', /EXPOSE|port/i],
    ['health-negative', 'FROM host\nHEALTHCHECK --interval=-5s CMD true\n', /interval|HEALTHCHECK/i],
    ['chmod-bad', 'FROM host\nCOPY --chmod=99999 in.txt /x\n', /chmod/i],
    ['chown-huge', 'FROM host\nCOPY --chown=99999999999:0 in.txt /x\n', /chown|uid|user/i],
    ['no-from', 'RUN true\n', /FROM/],
    ['empty', '', /FROM|empty|no instructions/i],
  ];

  for (const [name, text, why] of cases) {
    test(`${name}: refused in one line, nothing left`, async () => {
      const file = path.join(work, `${name}.Containerfile`);
      fs.writeFileSync(file, text);
      const before = { layers: layers(), images: await images() };
      const r = await d.cli(['build', '-t', `hostile:${name}`, '-f', file, work], { env });
      assert.notEqual(r.code, 0, `${name} built: ${r.stdout}`);
      const err = r.stderr.trim();
      assert.equal(err.split('\n').length, 1, `${name}: ${err}`);
      assert.match(err, why);
      assert.doesNotMatch(err, /^\s+at /m);
      assert.deepEqual({ layers: layers(), images: await images() }, before, `${name} left nothing`);
      assert.equal((await d.cli(['ps', '-aq'])).stdout.trim(), '', 'no container left');
    });
  }

  test('a missing context, a missing -f, a bad tag, a newline in a tag: one line each', async () => {
    const runs: [string[], RegExp][] = [
      [['build', path.join(work, 'no-such-dir')], /no-such-dir/],
      [['build', '-f', path.join(work, 'nope'), work], /-f .*nope: no such file/],
      [['build', '-t', 'Bad Name', work], /Bad Name|name/i],
      [['build', '-t', 'x:\nnl', work], /name|tag/i],
    ];
    for (const [args, re] of runs) {
      const r = await d.cli(args, { env });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });
});
