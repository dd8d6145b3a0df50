// `nscope pull`/`push` progress as `docker pull`/`docker push` print it off a
// terminal (Docker's jsonmessage): each layer status once, the statuses Docker
// draws as progress bars (Downloading, Extracting, Pushing) left out, and a
// mount named with the repository it came from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressView } from '../../helper/cli/pull-commands';
import type { TransferLine } from '../../helper/protocol/types/registry';

function render(lines: TransferLine[], isTTY = false): string {
  let text = '';
  const out = { isTTY, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
  const view = new ProgressView(out, false);
  for (const l of lines) view.line(l);
  return text;
}

test('off a terminal: one line per status, no progress-bar statuses, "Mounted from REPO"', () => {
  const text = render([
    { kind: 'status', status: 'latest: Pulling from team/app' },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Pulling fs layer' },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Downloading', current: 1, total: 10 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Downloading', current: 5, total: 10 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Verifying Checksum', current: 10, total: 10 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Download complete', current: 10, total: 10 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Extracting', current: 10, total: 10 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Pull complete' },
    { kind: 'progress', id: 'bbbbbbbbbbbb', status: 'Pushing', current: 3, total: 9 },
    { kind: 'progress', id: 'bbbbbbbbbbbb', status: 'Mounted', from: 'team/base' },
    { kind: 'status', status: 'Digest: sha256:x' },
  ]);
  assert.equal(text, [
    'latest: Pulling from team/app',
    'aaaaaaaaaaaa: Pulling fs layer',
    'aaaaaaaaaaaa: Verifying Checksum',
    'aaaaaaaaaaaa: Download complete',
    'aaaaaaaaaaaa: Pull complete',
    'bbbbbbbbbbbb: Mounted from team/base',
    'Digest: sha256:x',
    '',
  ].join('\n'));
});

test('on a terminal: the byte counts are drawn with Downloading and Extracting', () => {
  const text = render([
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Downloading', current: 512, total: 1024 },
    { kind: 'progress', id: 'aaaaaaaaaaaa', status: 'Extracting', current: 1024, total: 1024 },
  ], true);
  assert.match(text, /aaaaaaaaaaaa: Downloading \[=+> +\] 512B\/1\.02kB/);
  assert.match(text, /aaaaaaaaaaaa: Extracting \[=+>\] 1\.02kB\/1\.02kB/);
});
