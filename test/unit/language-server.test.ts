// The Containerfile language server through its protocol, in one process:
// the server on one end of two PassThrough streams, a JSON-RPC client on the
// other, as VS Code's client talks to it. Diagnostics, completion, hover,
// document symbols, and the `nscope/images` request answered by the test.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createMessageConnection, StreamMessageReader as ClientReader, StreamMessageWriter as ClientWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import type { CompletionItem, Diagnostic, DocumentSymbol, Hover, PublishDiagnosticsParams } from 'vscode-languageserver';
import { startServer } from '../../language/server';
import { IMAGES_CHANGED, IMAGES_REQUEST } from '../../language/requests';
import { parseContainerfile, stagesOf } from '../../language/containerfile';

describe('Containerfile language server (over the protocol)', () => {
  let client: MessageConnection;
  let dir: string;
  const published = new Map<string, Diagnostic[]>();
  const waiters: (() => void)[] = [];
  let version = 0;
  // what the client answers to nscope/images (null: no helper connected yet)
  let images: string[] | null = ['host:latest', 'docker.io/library/alpine:3.19'];

  const open = async (name: string, text: string): Promise<{ uri: string; diags: Diagnostic[] }> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).toString();
    published.delete(uri);
    await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: ++version, text } });
    while (!published.has(uri)) await new Promise<void>((r) => waiters.push(r));
    return { uri, diags: published.get(uri)! };
  };
  const messages = (d: Diagnostic[]) => d.map((x) => `${x.range.start.line}:${x.severity}:${x.message}`);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-lsp-'));
    fs.writeFileSync(path.join(dir, 'app.sh'), 'echo hi\n');
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
    client = createMessageConnection(new ClientReader(toClient), new ClientWriter(toServer));
    client.onRequest(IMAGES_REQUEST, () => images);
    client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      published.set(p.uri, p.diagnostics);
      for (const w of waiters.splice(0)) w();
    });
    client.listen();
    const init = await client.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.hoverProvider);
    await client.sendNotification('initialized', {});
  });

  after(() => { client?.dispose(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('a clean Containerfile has no diagnostics', async () => {
    const { diags } = await open('Containerfile', 'ARG BASE=host\nFROM ${BASE} AS build\nARG V=1\nENV A=$V\nCOPY app.sh /app/\nRUN sh /app/app.sh\nFROM alpine:3.19\nCOPY --from=build /app /app\nEXPOSE 80/tcp 8000-8010\nSTOPSIGNAL SIGINT\nCMD ["sh", "/app/app.sh"]\n');
    assert.deepEqual(messages(diags), []);
  });

  test('the mistakes a build would trip on, each on its line', async () => {
    const { diags } = await open('Bad.Containerfile', [
      'RUN echo too early', // 0: before FROM
      'FROM host AS one',
      'RUNN echo typo', // 2: unknown, did you mean RUN
      'COPY --chwon=1 missing.txt ../outside /x', // 3: unknown flag, missing file, outside context
      'WORKDIR $NOPE', // 4: undeclared
      'EXPOSE 99999', // 5
      'FROM nosuchimage:1 AS one', // 6: not local (info), duplicate stage name
      'COPY --from=7 /a /b', // 7: stage not before
      'FROM Bad//Ref', // 8: invalid reference
      'CMD [\'sh\']', // 9: not JSON
      'MAINTAINER me', // 10: deprecated
      'COPY *.sh a?p.sh /x/', // 11: globs that match app.sh: nothing
      'COPY *.nope /x/', // 12: a glob that matches nothing
      'ONBUILD ONBUILD RUN true', // 13: chained
      'ONBUILD FRM x', // 14: not an instruction
      'ONBUILD RUN make', // 15: fine
      'COPY --parents app.sh /x/', // 16: Docker's, refused by nscope build
    ].join('\n'));
    const m = messages(diags);
    const has = (line: number, re: RegExp) => assert.ok(m.some((x) => x.startsWith(`${line}:`) && re.test(x)), `line ${line} ${re}: ${m.join(' | ')}`);
    has(0, /before the first FROM/);
    has(2, /unknown instruction "RUNN": did you mean RUN\?/);
    has(3, /unknown flag --chwon for COPY/);
    has(3, /"missing\.txt" is not in the build context/);
    has(3, /"\.\.\/outside" is outside the build context/);
    has(4, /\$NOPE is not declared/);
    has(5, /"99999" is not a port/);
    has(6, /:3:"nosuchimage:1" is not a local image/);
    has(6, /stage name "one" is used twice/);
    has(7, /stage 7 is not before this one/);
    has(8, /invalid reference format/);
    has(9, /not a JSON array/);
    has(10, /deprecated/);
    assert.ok(!m.some((x) => x.startsWith('11:')), m.join(' | '));
    has(12, /"\*\.nope" matches nothing in the build context/);
    has(13, /ONBUILD: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/);
    has(14, /ONBUILD: unknown instruction "FRM" to run later/);
    assert.ok(!m.some((x) => x.startsWith('15:')), m.join(' | '));
    has(16, /COPY --parents is not supported by nscope build yet/);
  });

  test('FROM scratch is the empty base, not an image to look up or pull', async () => {
    const { diags } = await open('Scratch.Containerfile', 'FROM host AS build\nFROM scratch AS final\nCOPY --from=build /bin/sh /bin/sh\nCOPY app.sh /app.sh\nCMD ["/app.sh"]\n');
    assert.deepEqual(messages(diags), []);
  });

  test('completion: instructions, flags, local images in FROM, stage names after --from=', async () => {
    const { uri } = await open('Complete.Containerfile', 'FROM host AS base\nCO\nCOPY --\nFROM \nCOPY --from=\n');
    const at = async (line: number, character: number) => (await client.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as CompletionItem[];
    assert.ok((await at(1, 2)).some((c) => c.label === 'COPY'));
    assert.deepEqual((await at(2, 7)).map((c) => c.label).slice(0, 3), ['--from', '--chown', '--chmod']);
    const images = (await at(3, 5)).map((c) => c.label);
    assert.ok(images.includes('host:latest') && images.includes('scratch') && images.includes('base'), images.join(' '));
    assert.deepEqual((await at(4, 12)).map((c) => c.label), ['base']);
  });

  test('FROM is checked again, without an edit, when the client says the images changed (a helper connected late)', async () => {
    const published_ = async (uri: string) => { while (!published.has(uri)) await new Promise<void>((r) => waiters.push(r)); return published.get(uri)!; };
    images = null;
    await client.sendNotification(IMAGES_CHANGED);
    const { uri, diags } = await open('Late.Containerfile', 'FROM nosuchimage:1\nRUN true\n');
    // no helper answered: nothing can be said about the image
    assert.deepEqual(messages(diags), []);
    images = ['host:latest'];
    published.delete(uri);
    await client.sendNotification(IMAGES_CHANGED);
    assert.deepEqual(messages(await published_(uri)), ['0:3:"nosuchimage:1" is not a local image: the build would pull it']);
    images = ['host:latest', 'docker.io/library/alpine:3.19'];
    await client.sendNotification(IMAGES_CHANGED);
  });

  test('hover explains an instruction; symbols are the stages', async () => {
    const { uri } = await open('Sym.Containerfile', 'FROM host AS build\nRUN true\nFROM build\nCMD ["x"]\n');
    const hover = await client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } }) as Hover;
    assert.match((hover.contents as { value: string }).value, /\*\*RUN\*\*[\s\S]*new layer/);
    const symbols = await client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as DocumentSymbol[];
    assert.deepEqual(symbols.map((s) => [s.name, s.detail, s.children?.map((c) => c.name)]), [['build', 'FROM host', ['FROM', 'RUN']], ['stage 1', 'FROM build', ['FROM', 'CMD']]]);
  });
});

describe('Containerfile parser', () => {
  test('continuations, comments inside them, heredocs, flags, the exec form, directives, stages', () => {
    const f = parseContainerfile('# escape=`\nFROM host AS a\nRUN echo a `\n  # inside\n  && echo b\nCOPY --chown=1:2 --from=a /x /y\nRUN <<EOF\necho hi\nEOF\nCMD ["sh", "-c", "x"]\n');
    assert.equal(f.escape, '`');
    assert.deepEqual(f.instructions.map((i) => i.keyword), ['FROM', 'RUN', 'COPY', 'RUN', 'CMD']);
    assert.equal(f.instructions[1].args, 'echo a   && echo b');
    assert.deepEqual(f.instructions[1].range.end.line, 4);
    assert.deepEqual(f.instructions[2].flags.map((x) => [x.name, x.value]), [['chown', '1:2'], ['from', 'a']]);
    assert.equal(f.instructions[3].heredocs[0].body, 'echo hi\n');
    assert.deepEqual(f.instructions[4].json, ['sh', '-c', 'x']);
    assert.deepEqual(stagesOf(f).map((s) => [s.name, s.base, s.instructions.length]), [['a', 'host', 4]]);
    assert.match(parseContainerfile('FROM x\nRUN <<EOF\nnever closed\n').errors[0].message, /unterminated heredoc/);
  });
});
