// References typed into Pull Image… and Push…: the registry whose
// credentials are looked up (Docker's rule) and the early word on bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceProblem, registryOf } from '../../extension/image-reference';

test('the registry: a first component with . or :, localhost or capitals; otherwise Docker Hub', () => {
  assert.equal(registryOf('alpine'), 'docker.io');
  assert.equal(registryOf('alpine:3.19'), 'docker.io');
  assert.equal(registryOf('library/alpine:3.19'), 'docker.io');
  assert.equal(registryOf('someone/app'), 'docker.io');
  assert.equal(registryOf('docker.io/library/alpine'), 'docker.io');
  assert.equal(registryOf('index.docker.io/library/alpine'), 'docker.io');
  assert.equal(registryOf('127.0.0.1:5000/team/app:1.0'), '127.0.0.1:5000');
  assert.equal(registryOf('localhost/app'), 'localhost');
  assert.equal(registryOf('localhost:5000/app@sha256:' + 'a'.repeat(64)), 'localhost:5000');
  assert.equal(registryOf('ghcr.io/org/tool'), 'ghcr.io');
  assert.equal(registryOf('Registry/app'), 'Registry');
  assert.equal(registryOf('  quay.io/x/y  '), 'quay.io', 'what the input box holds, spaces trimmed');
});

test('good references pass; a push destination takes no digest', () => {
  for (const ok of ['alpine', 'alpine:3.19', '127.0.0.1:5000/team/app:1.0', 'localhost:5000/a/b-c_d.e:v1.2-rc', `app@sha256:${'0f'.repeat(32)}`, 'my.reg/a__b/c', '[::1]:5000/app']) {
    assert.equal(referenceProblem(ok), undefined, ok);
  }
  assert.match(referenceProblem(`app@sha256:${'0f'.repeat(32)}`, { digest: false })!, /without a digest/);
  assert.equal(referenceProblem('127.0.0.1:5000/team/app:1.0', { digest: false }), undefined);
});

test('obvious mistakes are named', () => {
  assert.match(referenceProblem('')!, /alpine:3\.19/);
  assert.match(referenceProblem('alpine 3.19')!, /no spaces/);
  assert.match(referenceProblem('https://127.0.0.1:5000/app')!, /not a URL/);
  assert.match(referenceProblem('Alpine')!, /lower case \("Alpine"\)/);
  assert.match(referenceProblem('app:')!, /"" is not a tag/);
  assert.match(referenceProblem('app:-x')!, /"-x" is not a tag/);
  assert.match(referenceProblem('app@sha256:12')!, /not a digest/);
  assert.match(referenceProblem('team//app')!, /empty path component/);
  assert.match(referenceProblem('team/app/')!, /empty path component/);
  assert.match(referenceProblem('team/-app')!, /lower-case letters/);
  assert.match(referenceProblem('bad_host.:5000/app')!, /not a registry host/);
});
