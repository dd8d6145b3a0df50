// Pure parts of commit and the layer explorer (no root): --change parsing as
// `docker commit --change` does it, the merged-tree bookkeeping on synthetic
// layers, the freezer's path from a mount table, and the tar writer's
// streamed file bodies.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { comparePaths, MergedTree } from '../../helper/images/layers-info-tree';
import type { LayerEntry } from '../../helper/images/layers-info-walk';
import { historyOf, pageOf } from '../../helper/images/layers-info';
import { readTar } from '../../helper/images/tar-reader';
import { TarWriter } from '../../helper/images/tar-writer';
import { storableLinkTarget } from '../../helper/rootfs/commit';
import { applyChanges, shellWords } from '../../helper/rootfs/commit-change';
import { freezerPath } from '../../helper/rootfs/commit-freeze';

const base = { Env: ['PATH=/usr/bin:/bin', 'HOME=/root'], Cmd: ['/bin/sh'], WorkingDir: '/app', Labels: { keep: 'me' } };

test('CMD / ENTRYPOINT: JSON-array (exec) form, else the shell form', () => {
  assert.deepEqual(applyChanges(base, ['CMD ["echo", "hi there"]']).Cmd, ['echo', 'hi there']);
  assert.deepEqual(applyChanges(base, ['CMD echo $HOME "x"']).Cmd, ['/bin/sh', '-c', 'echo $HOME "x"'], 'shell form: the text as is, for the shell');
  assert.deepEqual(applyChanges(base, ['cmd [not json']).Cmd, ['/bin/sh', '-c', '[not json'], 'instructions are case-insensitive; bad JSON is shell form');
  assert.deepEqual(applyChanges({ ...base, Shell: ['/bin/bash', '-ec'] }, ['CMD make']).Cmd, ['/bin/bash', '-ec', 'make'], 'the image\'s SHELL');
  const ep = applyChanges(base, ['ENTRYPOINT ["/entry"]']);
  assert.deepEqual(ep.Entrypoint, ['/entry']);
  assert.ok(!('Cmd' in ep), 'a new ENTRYPOINT drops the inherited CMD');
  assert.deepEqual(applyChanges(base, ['CMD ["a"]', 'ENTRYPOINT ["/e"]']).Cmd, ['a'], 'unless CMD was given before it');
  assert.deepEqual(applyChanges(base, ['ENTRYPOINT ["/e"]', 'CMD ["a"]']).Cmd, ['a']);
  assert.deepEqual(base.Cmd, ['/bin/sh'], 'the input config is not modified');
});

test('ENV and LABEL: pairs with quotes and escapes, the legacy "KEY value" form, $VAR expansion', () => {
  const c = applyChanges(base, ['ENV A=1 B="two words" C=\'$HOME\' D=$HOME E=${HOME}/x F=${NOPE:-dflt} G=${HOME:+set} H=a\\ b']);
  assert.deepEqual(c.Env, ['PATH=/usr/bin:/bin', 'HOME=/root', 'A=1', 'B=two words', 'C=$HOME', 'D=/root', 'E=/root/x', 'F=dflt', 'G=set', 'H=a b']);
  assert.deepEqual(applyChanges(base, ['ENV PATH=/opt/bin:$PATH']).Env, ['PATH=/opt/bin:/usr/bin:/bin', 'HOME=/root'], 'replaces in place');
  assert.deepEqual(applyChanges(base, ['ENV MY_VAR some value  here']).Env?.at(-1), 'MY_VAR=some value  here');
  assert.deepEqual(applyChanges(base, ['ENV X=1', 'ENV Y=$X']).Env?.slice(-2), ['X=1', 'Y=1'], 'a later instruction sees an earlier one');
  assert.deepEqual(applyChanges(base, ['ENV X=1 Y=$X']).Env?.slice(-2), ['X=1', 'Y='], 'one instruction sees the environment before it');
  const l = applyChanges(base, ['LABEL a=b "c d"="e f" version=1.0', 'LABEL legacy the rest']);
  assert.deepEqual(l.Labels, { keep: 'me', a: 'b', 'c d': 'e f', version: '1.0', legacy: 'the rest' });
  assert.deepEqual(base.Labels, { keep: 'me' });
  // a first key with blanks in quotes is still the = form (Docker splits words at blanks outside quotes)
  assert.deepEqual(applyChanges({}, ['LABEL "key with space"="v" \'k 2\'=x']).Labels, { 'key with space': 'v', 'k 2': 'x' });
});

test('WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL', () => {
  assert.equal(applyChanges(base, ['WORKDIR /srv/']).WorkingDir, '/srv');
  assert.equal(applyChanges(base, ['WORKDIR sub/../x']).WorkingDir, '/app/x', 'relative to the current one');
  assert.equal(applyChanges({}, ['WORKDIR rel']).WorkingDir, '/rel');
  assert.equal(applyChanges(base, ['WORKDIR $HOME/work']).WorkingDir, '/root/work');
  assert.equal(applyChanges(base, ['USER nobody:nogroup']).User, 'nobody:nogroup');
  assert.equal(applyChanges(base, ['USER 1000']).User, '1000');
  assert.deepEqual(applyChanges(base, ['EXPOSE 80 53/udp 8000-8001/TCP']).ExposedPorts, { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} });
  assert.deepEqual(applyChanges(base, ['VOLUME ["/data", "/logs"]']).Volumes, { '/data': {}, '/logs': {} });
  assert.deepEqual(applyChanges(base, ['VOLUME /a /b']).Volumes, { '/a': {}, '/b': {} });
  assert.equal(applyChanges(base, ['STOPSIGNAL SIGQUIT']).StopSignal, 'SIGQUIT');
  // SHELL is recorded and the shell form after it uses it; only its JSON form is taken
  const sh = applyChanges(base, ['SHELL ["/bin/bash", "-ec"]', 'CMD make all']);
  assert.deepEqual([sh.Shell, sh.Cmd], [['/bin/bash', '-ec'], ['/bin/bash', '-ec', 'make all']]);
  assert.throws(() => applyChanges(base, ['SHELL /bin/bash']), /SHELL takes the JSON form/);
  // ONBUILD: one trigger more, as written (expanded when it runs); its JSON form sets the list, [] empties it
  const ob = applyChanges(base, ['ONBUILD RUN echo $HOME', 'onbuild copy . /app']);
  assert.deepEqual(ob.OnBuild, ['RUN echo $HOME', 'copy . /app']);
  assert.equal(applyChanges(ob, ['ONBUILD []']).OnBuild, undefined);
});

test('bad changes: one line naming the change and what is wrong', () => {
  const bad: Array<[string, RegExp]> = [
    ['RUN apt-get update', /^--change "RUN apt-get update": RUN cannot be used with commit \(only CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR\)$/],
    ['FROM scratch', /FROM cannot be used with commit/],
    ['CMD', /^--change "CMD": CMD needs an argument$/],
    ['   ', /empty instruction/],
    ['ENV =x', /"=x" is not KEY=VALUE/],
    ['ENV A="open', /looking for matching double-quote/],
    ["LABEL a='open", /looking for matching single-quote/],
    ['ENV A=${B', /bad substitution/],
    ['ENV A=${B:?x}', /B: x/],
    ['ENV A=${B:=x}', /bad substitution/],
    ['USER a b', /USER takes one user\[:group\]/],
    ['EXPOSE 70000', /"70000" is not a port/],
    ['EXPOSE 90-80', /"90-80" is not a port/],
    ['VOLUME relative', /volume "relative" is not an absolute path/],
    ['STOPSIGNAL TERM KILL', /STOPSIGNAL takes one signal/],
    ['HEALTHCHECK --every=5s CMD true', /unknown HEALTHCHECK option --every/],
    ['HEALTHCHECK --interval=5x CMD true', /"5x" is not a duration/],
    ['HEALTHCHECK true', /HEALTHCHECK takes \[OPTIONS\] CMD command, or NONE/],
    ['ONBUILD ONBUILD RUN x', /Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/],
    ['ONBUILD maintainer me', /MAINTAINER isn't allowed as an ONBUILD trigger/],
    ['ONBUILD ["FROM x"]', /FROM isn't allowed as an ONBUILD trigger/],
  ];
  for (const [change, re] of bad) assert.throws(() => applyChanges(base, [change]), (e: Error) => re.test(e.message) && !e.message.includes('\n'), change);
  assert.throws(() => applyChanges(base, 'CMD x' as unknown as string[]), /changes: must be a list/);
  assert.throws(() => applyChanges(base, [5 as unknown as string]), /each change is a string/);
});

test('shellWords: quotes, escapes, expansion, no splitting when asked', () => {
  const env = new Map([['A', 'x y'], ['E', '']]);
  assert.deepEqual(shellWords(`a "b c" 'd e' f\\ g $A "$A" \${E:-def} \${A:+alt}`, env), ['a', 'b c', 'd e', 'f g', 'x y', 'x y', 'def', 'alt']);
  assert.deepEqual(shellWords('"a \\"q\\" \\$A \\n"', env), ['a "q" $A \\n']);
  assert.deepEqual(shellWords('  one   two  ', env, false), ['  one   two  ']);
  assert.deepEqual(shellWords('cost $5 $', env), ['cost', '$5', '$']);
});

// ---- the merged tree ----

let ino = 1;
function e(rel: string, type: LayerEntry['type'] | 'whiteout', extra: Partial<LayerEntry> = {}): LayerEntry {
  const wh = type === 'whiteout';
  return {
    rel, name: rel.split('/').pop()!, type: wh ? 'char' : type, whiteout: wh, opaque: false, size: 0, mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0, gid: 0, mtime: 0, ino: ino++, nlink: 1, rdev: 0, ...extra,
  };
}
const f = (rel: string, size: number, extra: Partial<LayerEntry> = {}) => e(rel, 'file', { size, ...extra });

test('merged tree: sizes per inode, A/C/D, a dir replaced by a file and back, whiteouts of nothing', () => {
  const t = new MergedTree();
  const shared = 999999;
  const r0 = t.apply([e('a', 'dir'), f('a/one', 10), f('a/two', 20), f('h1', 5, { ino: shared, nlink: 2 }), f('h2', 5, { ino: shared, nlink: 2 })], true);
  assert.deepEqual([r0.size, r0.hidden, t.visible], [35, 0, 35]);
  // layer 1: /a becomes a file; a whiteout of something that was never there; h1 deleted but h2 keeps the inode
  const r1 = t.apply([f('a', 3), e('ghost', 'whiteout'), e('h1', 'whiteout')], true);
  assert.deepEqual([r1.size, r1.hidden, t.visible], [3, 30, 8]);
  assert.deepEqual(r1.changes!.map((c) => `${c.kind} ${c.path} ${c.type ?? '-'} ${c.hides}`), ['C /a file 30', 'D /ghost - 0', 'D /h1 file 0']);
  // layer 2: /a a directory again, opaque (nothing below to hide: it is new over a file)
  const r2 = t.apply([e('a', 'dir', { opaque: true }), f('a/three', 7), e('h2', 'whiteout')], true);
  assert.deepEqual([r2.size, r2.hidden, t.visible], [7, 8, 7]);
  assert.deepEqual(r2.changes!.map((c) => `${c.kind} ${c.path} ${c.hides}${c.opaque ? ' opaque' : ''}`), ['C /a 3 opaque', 'A /a/three 0', 'D /h2 5']);
  assert.equal(t.lookup('/a/three')!.layer, 2);
  assert.equal(t.lookup('/a/one'), undefined);
  assert.equal(t.total(t.root), 7);
});

test('merged tree: an opaque directory over a directory, with a child put back and a whiteout inside', () => {
  const t = new MergedTree();
  t.apply([e('d', 'dir'), f('d/x', 1), f('d/y', 2), e('d/sub', 'dir'), f('d/sub/z', 4)], false);
  const r = t.apply([e('d', 'dir', { opaque: true }), e('d/x', 'whiteout'), f('d/y', 20)], true);
  assert.deepEqual(r.changes!.map((c) => `${c.kind} ${c.path} ${c.hides}`), ['C /d 0', 'D /d/sub 4', 'D /d/x 1', 'C /d/y 2']);
  assert.deepEqual([r.added, r.changed, r.deleted, r.hidden, t.visible], [0, 2, 2, 7, 20]);
  assert.deepEqual([...t.lookup('/d')!.children!.keys()], ['y']);
});

test('changes sort component by component: a directory right before what is below it', () => {
  assert.deepEqual(['/a-b', '/a/c', '/a', '/b', '/a/c/d', '/ä', '/Z'].sort(comparePaths), ['/Z', '/a', '/a/c', '/a/c/d', '/a-b', '/b', '/ä']);
});

test('symlink targets that climb above the root: excess leading ".." dropped (the same file), else not storable', () => {
  assert.equal(storableLinkTarget('a/b/link', '../c'), '../c');
  assert.equal(storableLinkTarget('a/b/link', '/etc/passwd'), '/etc/passwd');
  assert.equal(storableLinkTarget('a/b/link', '../../../../etc/group'), '../../etc/group');
  assert.equal(storableLinkTarget('link', '../../etc'), 'etc');
  assert.equal(storableLinkTarget('d/link', './../../..'), '..');
  assert.equal(storableLinkTarget('link', '..'), '.');
  assert.equal(storableLinkTarget('a/b/link', '../x/../../../y'), undefined);
});

test('history pairs with layers, empty_layer entries skipped; pages are bounded', () => {
  const h = historyOf({
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, history: [{ created_by: 'a' }, { created_by: 'env', empty_layer: true }, { created_by: 'b' }, { created_by: 'extra' }] },
    layers: [{}, {}] as never,
  });
  assert.deepEqual(h.map((x) => [x.createdBy, x.layer]), [['a', 0], ['env', undefined], ['b', 1], ['extra', undefined]]);
  assert.deepEqual(pageOf({}), { offset: 0, limit: 1000 });
  assert.throws(() => pageOf({ limit: 10001 }), /limit: 10001 is not between 1 and 10000/);
  assert.throws(() => pageOf({ offset: 1.5 }), /offset: 1.5 is not a non-negative integer/);
});

test('the freezer file from the mount table: v1 freezer hierarchy, v2 unified, or none', () => {
  const v1 = `31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n37 31 0:34 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n`;
  assert.equal(freezerPath('/nscope/abc', 1, v1), '/sys/fs/cgroup/freezer/nscope/abc/freezer.state');
  assert.equal(freezerPath('/nscope/abc', 2, v1), '/sys/fs/cgroup/unified/nscope/abc/cgroup.freeze');
  const pure = `25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n`;
  assert.equal(freezerPath('/nscope/abc', 2, pure), '/sys/fs/cgroup/nscope/abc/cgroup.freeze');
  assert.equal(freezerPath('/nscope/abc', 1, pure), undefined);
  const nested = `37 31 0:34 /docker/x /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n`;
  assert.equal(freezerPath('/docker/x/nscope/abc', 1, nested), '/sys/fs/cgroup/freezer/nscope/abc/freezer.state');
});

test('tar writer: a file body streamed in pieces reads back; misuse is refused', async () => {
  const parts: Buffer[] = [];
  const w = new TarWriter((b) => parts.push(Buffer.from(b)));
  w.beginFile({ name: 'big', type: 'file', mode: 0o600 }, 1000);
  w.body(Buffer.alloc(600, 'a'));
  assert.throws(() => w.add({ name: 'x', type: 'dir' }), /added before the previous file's endFile/);
  assert.throws(() => w.endFile(), /400 bytes short/);
  assert.throws(() => w.body(Buffer.alloc(401)), /beyond the size/);
  w.body(Buffer.alloc(400, 'b'));
  w.endFile();
  w.add({ name: 'after', type: 'file' }, 'z');
  w.finish();
  const got: Array<[string, string]> = [];
  for await (const en of readTar(Readable.from([Buffer.concat(parts)]))) got.push([en.name, (await en.body.readAll()).toString()]);
  assert.deepEqual(got, [['big', 'a'.repeat(600) + 'b'.repeat(400)], ['after', 'z']]);
  assert.equal(Buffer.concat(parts).length, w.size);
});
