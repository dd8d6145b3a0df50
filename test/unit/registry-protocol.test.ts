// The registry client's pure parts: references as Docker reads them, the
// WWW-Authenticate challenge, manifest checks and the platform choice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges } from '../../helper/registry/auth';
import { choosePlatform, parseManifest, parsePlatform, platformMatches, platformParam, platformsParam, requirePlatform } from '../../helper/registry/manifest';
import { nextLink } from '../../helper/registry/client';
import { formatReference, normalizeRegistry, parseReference, parseRepositoryOnly, storeName } from '../../helper/registry/reference';
import { hostPlatform } from '../../helper/images/oci';
import { MEDIA, type OciIndex } from '../../helper/images/oci';

const D = (c: string) => `sha256:${c.repeat(64)}`;

test('references: Docker Hub defaults, registries with ports, digests; bad ones are "invalid reference format"', () => {
  assert.deepEqual(parseReference('alpine'), { registry: 'docker.io', repository: 'library/alpine', tag: 'latest', digest: undefined });
  assert.deepEqual(parseReference('user/app:1.2'), { registry: 'docker.io', repository: 'user/app', tag: '1.2', digest: undefined });
  assert.deepEqual(parseReference('127.0.0.1:5000/a/b'), { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'latest', digest: undefined });
  assert.deepEqual(parseReference('localhost/app:v1'), { registry: 'localhost', repository: 'app', tag: 'v1', digest: undefined });
  assert.deepEqual(parseReference(`ghcr.io/o/r@${D('a')}`), { registry: 'ghcr.io', repository: 'o/r', tag: undefined, digest: D('a') });
  assert.equal(parseReference('docker.io/library/alpine:3').repository, 'library/alpine');
  assert.equal(parseReference('index.docker.io/x/y').registry, 'docker.io');
  assert.equal(storeName(parseReference('docker.io/library/alpine:3')), 'alpine:3');
  assert.equal(storeName(parseReference('h:5000/a/b:t')), 'h:5000/a/b:t');
  assert.equal(storeName(parseReference(`h:5000/a@${D('b')}`)), undefined);
  assert.equal(formatReference(parseReference(`alpine:3@${D('c')}`)), `alpine:3@${D('c')}`);
  for (const bad of ['', 'Alpine', 'a:b:c', 'a@sha256:12', 'host:99999/a', 'a/../b', 'a b', 'app:-x', '-app', 'a//b']) {
    assert.throws(() => parseReference(bad), /invalid reference format/, bad);
  }
  assert.throws(() => parseReference('Alpine'), /repository name must be lowercase/);
});

test('registry names for login/logout: Hub aliases, URLs reduced to host[:port]', () => {
  assert.equal(normalizeRegistry(undefined), 'docker.io');
  assert.equal(normalizeRegistry('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeRegistry('registry-1.docker.io'), 'docker.io');
  assert.equal(normalizeRegistry('https://127.0.0.1:5000/'), '127.0.0.1:5000');
  assert.throws(() => normalizeRegistry('a b'), /invalid registry/);
});

test('WWW-Authenticate: bearer and basic challenges with quoted, escaped and bare parameters', () => {
  const [b] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"');
  assert.equal(b.scheme, 'bearer');
  assert.deepEqual(b.params, { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' });
  const two = parseChallenges('Basic realm="Registry \\"x\\"", Bearer realm=https://t/x, service=s');
  assert.deepEqual(two.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(two[0].params.realm, 'Registry "x"');
  assert.deepEqual(two[1].params, { realm: 'https://t/x', service: 's' });
  assert.deepEqual(parseChallenges(''), []);
});

test('manifests: the four media types, foreign layers taken (from the registry), artifacts refused, schema 1 named', () => {
  const m = { schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, digest: D('1'), size: 10 }, layers: [{ mediaType: MEDIA.dockerLayerGzip, digest: D('2'), size: 5 }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(m)), '', 'x').kind, 'manifest');
  const oci = { ...m, mediaType: undefined, config: { ...m.config, mediaType: MEDIA.config }, layers: [{ mediaType: MEDIA.layerZstd, digest: D('3'), size: 1 }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(oci)), MEDIA.manifest, 'x').mediaType, MEDIA.manifest);
  const idx = { schemaVersion: 2, mediaType: MEDIA.dockerManifestList, manifests: [{ mediaType: MEDIA.dockerManifest, digest: D('4'), size: 3, platform: { os: 'linux', architecture: 'amd64' } }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(idx)), '', 'x').kind, 'index');
  const foreign = { ...m, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: D('5'), size: 1 }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(foreign)), '', 'img').kind, 'manifest');
  const nondist = { ...oci, layers: [{ mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', digest: D('5'), size: 1, urls: ['https://x/l'] }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(nondist)), MEDIA.manifest, 'img').kind, 'manifest');
  const unknownLayer = { ...m, layers: [{ mediaType: 'application/vnd.example.layer', digest: D('5'), size: 1 }] };
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify(unknownLayer)), '', 'img'), /unsupported media type/);
  const helm = { ...m, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: D('6'), size: 1 } };
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify(helm)), '', 'img'), /not a container image/);
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), '', 'img'), /schema 1 is deprecated/);
  assert.throws(() => parseManifest(Buffer.from('nope'), '', 'img'), /not JSON/);
  const badDigest = { ...m, layers: [{ mediaType: MEDIA.dockerLayerGzip, digest: 'sha256:zz', size: 1 }] };
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify(badDigest)), '', 'img'), /not valid descriptors/);
});

test('platforms: this host by default, os/arch[/variant] parsed, the index entry chosen with variants normalized', () => {
  assert.equal(parsePlatform(undefined).os, 'linux');
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  // Docker's os[/arch[/variant]]: one word is an OS on this host's architecture, or an architecture of linux
  assert.deepEqual(parsePlatform('linux'), { os: 'linux', architecture: hostPlatform().architecture });
  assert.deepEqual(parsePlatform('arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('Linux/X86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/arm/7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => parsePlatform('nonsense'), /unknown operating system or architecture/);
  assert.throws(() => parsePlatform('linux/amd64/v1/x'), /expected os\[\/arch\[\/variant\]\]/);
  assert.throws(() => parsePlatform('linux/'), /expected os/);
  assert.throws(() => parsePlatform('linux/a\nb'), /expected os/);
  const index: OciIndex = {
    schemaVersion: 2,
    manifests: [
      { mediaType: MEDIA.manifest, digest: D('a'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MEDIA.manifest, digest: D('b'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MEDIA.manifest, digest: D('c'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    ],
  };
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'amd64' }, 'x').digest, D('a'));
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm64' }, 'x').digest, D('b'), 'arm64 means arm64/v8');
  assert.throws(() => choosePlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }, 'img'), /img: no manifest for linux\/arm\/v7 in the index \(it has: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v6\)/);
});

test('platform matching of single-platform images: variants normalized, Docker\'s refusal, hostile params refused', () => {
  const want = (s: string) => parsePlatform(s);
  assert.ok(platformMatches(want('linux/amd64'), { os: 'linux', architecture: 'amd64' }));
  assert.ok(!platformMatches(want('linux/arm64'), { os: 'linux', architecture: 'amd64' }));
  assert.ok(platformMatches(want('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }), 'arm64 is arm64/v8');
  assert.ok(platformMatches(want('linux/amd64/v1'), { os: 'linux', architecture: 'amd64' }), 'amd64 is amd64/v1');
  assert.ok(!platformMatches(want('linux/amd64/v3'), { os: 'linux', architecture: 'amd64' }));
  assert.ok(platformMatches(want('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v6' }), 'no variant asked: any');
  assert.ok(!platformMatches(want('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
  assert.ok(!platformMatches(want('windows/amd64'), { os: 'linux', architecture: 'amd64' }));
  assert.ok(platformMatches(want('linux/s390x'), { os: 'linux' }), 'a config without an architecture matches any');
  const cfg = { os: 'linux', architecture: 'amd64' };
  requirePlatform('x', cfg, undefined);
  requirePlatform('x', cfg, 'linux/amd64');
  requirePlatform('x', cfg, ['linux/arm64', 'linux/amd64']);
  requirePlatform('x', cfg, '');
  assert.throws(() => requirePlatform('team/app:1', cfg, 'linux/arm64'),
    { message: 'image with reference team/app:1 was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64' });
  assert.throws(() => requirePlatform('x', cfg, 'bogus'), /unknown operating system or architecture/);
  assert.equal(platformParam(undefined, 'w'), undefined);
  assert.throws(() => platformParam(5, 'w'), /w: platform must be a string/);
  assert.throws(() => platformParam('x'.repeat(200), 'w'), /expected os/);
  assert.deepEqual(platformsParam(['linux/amd64'], 'w'), ['linux/amd64']);
  assert.throws(() => platformsParam('linux/amd64', 'w'), /a list of at most 16/);
  assert.throws(() => platformsParam(Array(17).fill('linux'), 'w'), /a list of at most 16/);
  assert.throws(() => platformsParam([{}], 'w'), /a list of strings/);
});

test('--all-tags references: a repository alone; a tag or digest refused in Docker\'s words', () => {
  assert.deepEqual(parseRepositoryOnly('alpine'), { registry: 'docker.io', repository: 'library/alpine' });
  assert.deepEqual(parseRepositoryOnly('127.0.0.1:5000/team/app'), { registry: '127.0.0.1:5000', repository: 'team/app' });
  assert.throws(() => parseRepositoryOnly('127.0.0.1:5000/team/app:v1'), { message: "tag can't be used with --all-tags/-a" });
  assert.throws(() => parseRepositoryOnly(`team/app@${D('a')}`), /tag can't be used with --all-tags\/-a/);
  assert.throws(() => parseRepositoryOnly('Team/App'), /invalid reference format/);
});

test('tags list pagination: the Link header\'s rel="next" target', () => {
  assert.equal(nextLink('</v2/team/app/tags/list?last=b&n=2>; rel="next"'), '/v2/team/app/tags/list?last=b&n=2');
  assert.equal(nextLink('</v2/x/tags/list?n=1&last=a>; rel=next'), '/v2/x/tags/list?n=1&last=a');
  assert.equal(nextLink('</a>; rel="prev", </b>; rel="next"'), '/b');
  assert.equal(nextLink('</a>; rel="prev"'), undefined);
  assert.equal(nextLink(undefined), undefined);
  assert.equal(nextLink('garbage'), undefined);
});
