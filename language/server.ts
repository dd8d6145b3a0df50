// The Containerfile language server (dist/language-server.js), launched by
// the extension over stdio (extension/language/client.ts): diagnostics
// (check.ts), completion of instructions, flags, local images and stage
// names, hover docs, one symbol per stage. It never talks to the helper:
// local image names come from the client through the custom request
// `nscope/images` (the extension asks its own connection), so the server
// needs no socket, no privileges, and works the same with a remote helper.
import * as path from 'path';
import { fileURLToPath } from 'url';
import {
  CompletionItemKind, DocumentSymbol, InsertTextFormat, MarkupKind, SymbolKind, TextDocumentSyncKind, TextDocuments,
  type CompletionItem, type Connection, type Position,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkContainerfile } from './check';
import { existsInContext } from './context-files';
import { parseContainerfile, stagesOf, type Range } from './containerfile';
import { INSTRUCTIONS } from './instructions';
import { IMAGES_CHANGED, IMAGES_REQUEST } from './requests';

const IMAGES_TTL_MS = 5000;

const inRange = (r: Range, p: Position) => (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character))
  && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

export function startServer(conn: Connection): void {
  const docs = new TextDocuments(TextDocument);
  let images: { at: number; names?: string[] } | undefined;
  // bumped by IMAGES_CHANGED: an answer asked for before it is not kept
  let generation = 0;
  const localImages = async (): Promise<string[] | undefined> => {
    if (images && Date.now() - images.at < IMAGES_TTL_MS) return images.names;
    const asked = generation;
    let names: string[] | undefined;
    try {
      const r = await Promise.race([conn.sendRequest<string[] | null>(IMAGES_REQUEST), new Promise<null>((res) => setTimeout(() => res(null), 2000))]);
      names = r ?? undefined;
    } catch { names = undefined; }
    if (asked === generation) images = { at: Date.now(), names };
    return names;
  };

  const validate = async (doc: TextDocument) => {
    let contextDir: string | undefined;
    try { if (doc.uri.startsWith('file:')) contextDir = path.dirname(fileURLToPath(doc.uri)); } catch { /* not a path */ }
    const asked = generation;
    const names = await localImages();
    // the images changed meanwhile: the check IMAGES_CHANGED started publishes instead
    if (asked !== generation) return;
    const diagnostics = checkContainerfile(doc.getText(), {
      images: names ? new Set(names) : undefined,
      exists: contextDir ? (rel) => existsInContext(contextDir!, rel) : undefined,
    });
    await conn.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  conn.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['-', '=', ' '] },
      hoverProvider: true,
      documentSymbolProvider: true,
    },
    serverInfo: { name: 'nscope Containerfile language server' },
  }));

  docs.onDidChangeContent((e) => { void validate(e.document); });
  // a FROM checked while no helper answered (the extension still connecting),
  // or against images since added or removed, is checked again: no edit needed
  conn.onNotification(IMAGES_CHANGED, () => {
    images = undefined;
    generation++;
    for (const doc of docs.all()) void validate(doc);
  });
  docs.onDidClose((e) => { void conn.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }); });

  conn.onCompletion(async (p): Promise<CompletionItem[]> => {
    const doc = docs.get(p.textDocument.uri);
    if (!doc) return [];
    const line = doc.getText({ start: { line: p.position.line, character: 0 }, end: p.position });
    if (/^\s*[A-Za-z]*$/.test(line)) {
      return Object.entries(INSTRUCTIONS).map(([k, d]) => ({
        label: k, kind: CompletionItemKind.Keyword, detail: d.syntax, documentation: { kind: MarkupKind.Markdown, value: d.doc },
        insertText: d.snippet, insertTextFormat: InsertTextFormat.Snippet,
      }));
    }
    const stageNames = stagesOf(parseContainerfile(doc.getText())).filter((s) => s.from.range.start.line < p.position.line && s.name).map((s) => s.name!);
    if (/--from=[\w.-]*$/i.test(line)) return stageNames.map((n) => ({ label: n, kind: CompletionItemKind.Module, detail: 'build stage' }));
    const kw = /^\s*([A-Za-z]+)\s/.exec(line)?.[1]?.toUpperCase();
    if (kw && INSTRUCTIONS[kw] && /\s--[\w-]*$/.test(line)) {
      return INSTRUCTIONS[kw].flags.map((f) => ({ label: `--${f}`, kind: CompletionItemKind.Property, insertText: `--${f}=`, filterText: `--${f}` }));
    }
    if (kw === 'FROM' && /^\s*FROM\s+(--\S+\s+)*\S*$/i.test(line)) {
      const names = (await localImages()) ?? [];
      return [
        ...names.map((n) => ({ label: n, kind: CompletionItemKind.Reference, detail: 'local image' })),
        { label: 'scratch', kind: CompletionItemKind.Constant, detail: 'an empty base' },
        ...stageNames.map((n) => ({ label: n, kind: CompletionItemKind.Module, detail: 'build stage' })),
      ];
    }
    return [];
  });

  conn.onHover((p) => {
    const doc = docs.get(p.textDocument.uri);
    if (!doc) return null;
    const ins = parseContainerfile(doc.getText()).instructions.find((i) => inRange(i.keywordRange, p.position));
    const d = ins && INSTRUCTIONS[ins.keyword];
    if (!ins || !d) return null;
    return { contents: { kind: MarkupKind.Markdown, value: `**${ins.keyword}**\n\n\`${d.syntax}\`\n\n${d.doc}` }, range: ins.keywordRange };
  });

  conn.onDocumentSymbol((p): DocumentSymbol[] => {
    const doc = docs.get(p.textDocument.uri);
    if (!doc) return [];
    return stagesOf(parseContainerfile(doc.getText())).map((s) => {
      const last = s.instructions[s.instructions.length - 1] ?? s.from;
      return {
        name: s.name ?? `stage ${s.index}`, detail: `FROM ${s.base}`, kind: SymbolKind.Class,
        range: { start: s.from.range.start, end: last.range.end }, selectionRange: s.from.keywordRange,
        children: [s.from, ...s.instructions].map((i) => ({
          name: i.keyword, detail: i.args.length > 60 ? `${i.args.slice(0, 60)}…` : i.args, kind: SymbolKind.Field, range: i.range, selectionRange: i.keywordRange,
        })),
      };
    });
  });

  docs.listen(conn);
  conn.listen();
}
