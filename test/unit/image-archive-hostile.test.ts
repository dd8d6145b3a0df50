// The outer image archive (`load`, `image import`, Import Image…) as a hostile
// client writes it: JSON of the wrong shape where index.json, a manifest or
// docker save's manifest.json has descriptors and names, and tar entries that
// put a file where the archive has a directory. Each is refused by name, in one
// line, an NscopeError ("invalid"), never a TypeError or a raw errno with the
// helper's temp path.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { extractArchive, readArchive } from '../../helper/images/archive';
import { NscopeError } from '../../helper/errors';
import { tarBuffer, type TarWriteEntry } from '../../helper/images/tar-writer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-archive-hostile-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
let n = 0;

/** Extracts `entries` as an archive into a fresh dir and reads it; resolves to the refusal's message. */
async function refusal(entries: Array<TarWriteEntry & { data?: Buffer | string }>): Promise<string> {
  const dir = path.join(tmp, `a${n++}`);
  fs.mkdirSync(dir);
  try {
    await extractArchive(Readable.from([tarBuffer(entries)]), dir);
    readArchive(dir);
  } catch (e) {
    assert.ok(e instanceof NscopeError, `an NscopeError, not ${String(e)}`);
    assert.equal(e.code, 'invalid', e.message);
    assert.doesNotMatch(e.message, /\n|Cannot read|is not a function|EISDIR|nscope-archive-hostile/, e.message);
    return e.message;
  }
  throw new Error('accepted');
}

const blob = (b: Buffer): TarWriteEntry & { data: Buffer } => ({ name: `blobs/sha256/${sha(b).slice(7)}`, type: 'file', data: b });
const layout = (index: unknown, ...blobs: Buffer[]) => [
  { name: 'oci-layout', type: 'file' as const, data: '{"imageLayoutVersion":"1.0.0"}' },
  { name: 'index.json', type: 'file' as const, data: json(index) },
  ...blobs.map(blob),
];
const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length };
const manifestOf = (layers: unknown[]) => json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers });
const descOf = (m: Buffer, extra: object = {}) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: m.length, ...extra });

test('index.json: a descriptor that is null, a number or a list is named, not read', async () => {
  for (const d of [null, 5, ['x'], 'sha256:abc']) {
    assert.match(await refusal(layout({ schemaVersion: 2, manifests: [d] })), /index\.json manifests\[0\]: not a descriptor/);
  }
});

test('a digest that is not sha256 hex (a path, a number) is refused before it names a file', async () => {
  for (const digest of ['sha256:../../../../etc/passwd', 5, null]) {
    assert.match(await refusal(layout({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 }] })), /malformed digest/);
  }
});

test('annotations that are not an object, and a ref.name that is not a string', async () => {
  const m = manifestOf([]);
  for (const annotations of [null, 'x', ['a']]) {
    assert.match(await refusal(layout({ schemaVersion: 2, manifests: [descOf(m, { annotations })] }, m, config)), /annotations are not an object/);
  }
  // a number where the name should be: no name (the store then asks for --name), not a TypeError
  const dir = path.join(tmp, `a${n++}`);
  fs.mkdirSync(dir);
  await extractArchive(Readable.from([tarBuffer(layout({ schemaVersion: 2, manifests: [descOf(m, { annotations: { 'org.opencontainers.image.ref.name': 5 } })] }, m, config))]), dir);
  assert.deepEqual(readArchive(dir).map((i) => i.names), [[]]);
});

test('a manifest whose layers hold null or a number', async () => {
  for (const l of [null, 7]) {
    const m = manifestOf([l]);
    assert.match(await refusal(layout({ schemaVersion: 2, manifests: [descOf(m, { annotations: { 'org.opencontainers.image.ref.name': 'qac/x:1' } })] }, m, config)), /layer 0: not a descriptor/);
  }
});

test('a nested index with a null entry', async () => {
  const idx = json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [null] });
  const d = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(idx), size: idx.length };
  assert.match(await refusal(layout({ schemaVersion: 2, manifests: [d] }, idx)), /manifests\[0\]: not a descriptor/);
});

test('docker save: RepoTags that is a string, not a list', async () => {
  const layer = tarBuffer([{ name: 'a', type: 'file', data: 'x' }]);
  assert.match(await refusal([
    { name: 'manifest.json', type: 'file', data: json([{ Config: 'c.json', RepoTags: 'qac/x:1', Layers: ['l.tar'] }]) },
    { name: 'c.json', type: 'file', data: config },
    { name: 'l.tar', type: 'file', data: layer },
  ]), /manifest\.json\[0\]: RepoTags is not a list/);
});

test('the outer tar: a file, or a link, where the archive has a directory', async () => {
  assert.match(await refusal([
    { name: 'x/', type: 'dir' }, { name: 'x/y', type: 'file', data: '1' }, { name: 'x', type: 'file', data: '2' },
  ]), /entry "x" is a file where the archive has a directory/);
  assert.match(await refusal([
    { name: 'f', type: 'file', data: '1' }, { name: 'x/', type: 'dir' }, { name: 'x', type: 'hardlink', linkname: 'f' },
  ]), /link "x" is where the archive has a directory/);
});

test('counts: more images, names or layers than one archive may bring are refused before any is read', async () => {
  const layer = Buffer.from(tarBuffer([{ name: 'f', type: 'file', data: 'x' }]));
  const layerDesc = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length };
  // OCI: 1001 index entries (one manifest under 1001 names: 1001 index.json writes), a nested index as long, 501 layers
  const m = manifestOf([layerDesc]);
  const entries = Array.from({ length: 1001 }, (_, i) => descOf(m, { annotations: { 'org.opencontainers.image.ref.name': `many/x:t${i}` } }));
  assert.match(await refusal(layout({ schemaVersion: 2, manifests: entries }, m, config, layer)),
    /^archive: index\.json: manifests lists 1001; more than 1000 in one archive is refused$/);
  const nested = json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries });
  assert.match(await refusal(layout({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(nested), size: nested.length }] }, nested, m, config, layer)),
    /index manifests lists 1001; more than 1000/);
  const tall = manifestOf(Array(501).fill(layerDesc));
  assert.match(await refusal(layout({ schemaVersion: 2, manifests: [descOf(tall)] }, tall, config, layer)),
    /index\.json manifests\[0\]: 501 layers is more than the 500 overlayfs can stack/);
  // docker save: 501 Layers (one file named 501 times), 1001 RepoTags
  const save = (entry: object) => [
    { name: `${sha(config).slice(7)}.json`, type: 'file' as const, data: config },
    { name: 'l/layer.tar', type: 'file' as const, data: layer },
    { name: 'manifest.json', type: 'file' as const, data: json([{ Config: `${sha(config).slice(7)}.json`, ...entry }]) },
  ];
  assert.match(await refusal(save({ RepoTags: ['a:1'], Layers: Array(501).fill('l/layer.tar') })), /manifest\.json\[0\]: 501 layers is more than the 500/);
  assert.match(await refusal(save({ RepoTags: Array.from({ length: 1001 }, (_, i) => `a:${i}`), Layers: ['l/layer.tar'] })),
    /RepoTags name more than 1000 images in one archive/);
});
