// --filter parsing and matching for ps and images, and the table layout of --format "table …".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError, type Parsed } from '../../helper/cli/args';
import { CONTAINER_FILTERS, filterContainers, filterImages, globMatch, IMAGE_FILTERS, parseFilters } from '../../helper/cli/filters';
import { alignTabs, listFormat, renderTemplate } from '../../helper/cli/list-format';
import type { ContainerSummary, ImageSummaryInfo } from '../../helper/protocol';

const ct = (o: Partial<ContainerSummary> & { id: string; name: string }): ContainerSummary => ({
  image: 'host:latest', imageId: 'sha256:aaaa1111', command: ['sleep', '60'], status: 'running', created: '2024-05-01T10:00:00Z', ...o,
});
const LIST = [
  ct({ id: 'a1'.repeat(32), name: 'web', labels: { app: 'web', tier: 'front' }, created: '2024-05-01T10:00:03Z' }),
  ct({ id: 'b2'.repeat(32), name: 'db', status: 'exited', exitCode: 3, labels: { app: 'db' }, image: 'postgres:16', imageId: 'sha256:bbbb2222', created: '2024-05-01T10:00:02Z' }),
  ct({ id: 'c3'.repeat(32), name: 'web-old', status: 'exited', exitCode: 0, created: '2024-05-01T10:00:01Z' }),
  ct({ id: 'd4'.repeat(32), name: 'frozen', paused: true, created: '2024-05-01T10:00:00Z' }),
];
const names = (f: string[]) => filterContainers(LIST, parseFilters(f, CONTAINER_FILTERS)).map((c) => c.name);

test('filter syntax: KEY=VALUE, known keys, checked values', () => {
  assert.deepEqual([...parseFilters(['name=a', 'name=b', 'status=exited'], CONTAINER_FILTERS)], [['name', ['a', 'b']], ['status', ['exited']]]);
  assert.throws(() => parseFilters(['name'], CONTAINER_FILTERS), (e) => e instanceof UsageError && /bad format of filter "name"/.test(e.message));
  assert.throws(() => parseFilters(['color=red'], CONTAINER_FILTERS), /invalid filter 'color'/);
  assert.throws(() => parseFilters(['status=zombie'], CONTAINER_FILTERS), /status=zombie/);
  assert.throws(() => parseFilters(['exited=x'], CONTAINER_FILTERS), /exit code/);
  assert.throws(() => parseFilters(['dangling=maybe'], IMAGE_FILTERS), /true or false/);
});

test('container filters: one key\'s values are alternatives, different keys all apply', () => {
  assert.deepEqual(names(['name=web']), ['web', 'web-old'], 'unanchored, as Docker');
  assert.deepEqual(names(['name=^web$']), ['web']);
  assert.deepEqual(names(['name=db', 'name=frozen']), ['db', 'frozen']);
  assert.deepEqual(names(['name=web', 'status=exited']), ['web-old']);
  assert.deepEqual(names(['status=paused']), ['frozen']);
  assert.deepEqual(names(['status=running']), ['web'], 'a paused container is "paused", not "running"');
  assert.deepEqual(names(['id=b2b2']), ['db']);
  assert.deepEqual(names(['label=app']), ['web', 'db']);
  assert.deepEqual(names(['label=app=web', 'label=tier=front']), ['web']);
  assert.deepEqual(names(['label=app=web', 'label=tier=back']), []);
  assert.deepEqual(names(['exited=0']), ['web-old']);
  assert.deepEqual(names(['exited=3', 'exited=0']), ['db', 'web-old']);
  assert.deepEqual(names(['ancestor=postgres:16']), ['db']);
  assert.deepEqual(names(['ancestor=host']), ['web', 'web-old', 'frozen'], 'a name without a tag is :latest');
  assert.deepEqual(names(['ancestor=bbbb']), ['db'], 'an image id prefix');
  assert.deepEqual(names(['before=db']), ['web-old', 'frozen']);
  assert.deepEqual(names(['since=web-old']), ['web', 'db']);
  assert.throws(() => names(['before=nosuch']), /no such container: nosuch/);
});

const img = (name: string, id: string, created: string): ImageSummaryInfo => ({ name, id, digest: id, size: 1, layers: 1, created });
const IMGS = [img('alpine:3.19', 'sha256:1111', '2024-01-01T00:00:00Z'), img('alpine:latest', 'sha256:1111', '2024-01-01T00:00:00Z'),
  img('team/app:1.0', 'sha256:2222', '2024-02-01T00:00:00Z'), img('<none>:<none>', 'sha256:3333', '2024-03-01T00:00:00Z')];
const inames = (f: string[]) => filterImages(IMGS, parseFilters(f, IMAGE_FILTERS)).map((i) => i.name);

test('image filters: dangling, reference globs as Docker matches them, before/since', () => {
  assert.deepEqual(inames(['dangling=true']), ['<none>:<none>']);
  assert.deepEqual(inames(['dangling=false']), ['alpine:3.19', 'alpine:latest', 'team/app:1.0']);
  assert.deepEqual(inames(['reference=alpine']), ['alpine:3.19', 'alpine:latest']);
  assert.deepEqual(inames(['reference=alpine:3*']), ['alpine:3.19']);
  assert.deepEqual(inames(['reference=*:latest']), ['alpine:latest']);
  assert.deepEqual(inames(['reference=*/app']), ['team/app:1.0']);
  assert.deepEqual(inames(['reference=*']), ['alpine:3.19', 'alpine:latest'], '* does not cross a /');
  assert.deepEqual(inames(['since=alpine:3.19']), ['team/app:1.0', '<none>:<none>']);
  assert.deepEqual(inames(['before=team/app:1.0']), ['alpine:3.19', 'alpine:latest']);
});

test('glob: Go\'s path.Match', () => {
  assert.ok(globMatch('a?c', 'abc'));
  assert.ok(globMatch('[ab]x', 'bx'));
  assert.ok(!globMatch('a*', 'a/b'));
  assert.ok(globMatch('a.b', 'a.b') && !globMatch('a.b', 'axb'), 'a dot is a dot');
});

test('--format: table, json, "table TEMPLATE" with headers and aligned columns, a bare template', () => {
  const p = (f?: string): Parsed => ({ flags: f === undefined ? {} : { format: f }, positionals: [] });
  assert.deepEqual(listFormat(p()), { kind: 'table' });
  assert.deepEqual(listFormat(p('json')), { kind: 'json' });
  assert.throws(() => listFormat(p('{{.Names')), (e) => e instanceof UsageError && /--format: template: unclosed action/.test(e.message));
  const t = listFormat(p('table {{.Names}}\\t{{.Status}}'));
  assert.equal(t.kind, 'template');
  if (t.kind !== 'template') return;
  const rows = [{ Names: 'web', Status: 'Up 2 minutes' }, { Names: 'a-much-longer-name', Status: 'Exited (0)' }];
  assert.equal(renderTemplate(t, rows, { Names: 'NAMES', Status: 'STATUS' }),
    'NAMES                STATUS\nweb                  Up 2 minutes\na-much-longer-name   Exited (0)\n');
  const bare = listFormat(p('{{.Names}}:{{.Status}}'));
  if (bare.kind !== 'template') return assert.fail();
  assert.equal(renderTemplate(bare, rows, {}), 'web:Up 2 minutes\na-much-longer-name:Exited (0)\n');
  assert.equal(alignTabs('a\tb\nccc\td\n'), 'a         b\nccc       d\n', 'at least 10 wide, as Docker\'s tabwriter');
});
