// How every `inspect` prints (containers and images, networks, volumes), as
// Docker's do: `-f/--format` is json (the default: the documents as one JSON
// array) or a Go template run over each document; a name not found is said on
// stderr and exits 1 while the others are still printed.
import { UsageError, type Parsed } from './args';
import { json } from './command';
import { TemplateError } from '../lib/go-template';
import { listFormat, type ListFormat } from './list-format';

/** The --format of an inspect: json or a template, never a table. */
export function inspectFormat(p: Parsed): ListFormat {
  const fmt = listFormat(p, { unescape: false });
  if (fmt.kind === 'template' && fmt.table) throw new UsageError('--format: "table" is for lists; inspect takes json or a template');
  return fmt;
}

/** Prints `docs` as `fmt` says; returns `rc`, or 1 where the template fails on a document. */
export function printInspected(fmt: ListFormat, docs: unknown[], rc: number): number {
  if (fmt.kind !== 'template') { json(docs); return rc; }
  for (const doc of docs) {
    try { process.stdout.write(fmt.template.execute(doc) + '\n'); } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      process.stderr.write(`nscope: ${e.message}\n`);
      return 1;
    }
  }
  return rc;
}
