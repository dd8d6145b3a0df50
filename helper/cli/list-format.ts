// --format for the commands that print lists (ps, images, stats, events) and
// documents (inspect), as Docker reads it: "table" (the default), "json"
// (nscope's own JSON), "table TEMPLATE" (a header row, then a row per item,
// columns split on \t and aligned) or a bare TEMPLATE (a line per item).
import { str, UsageError, type Parsed } from './args';
import type { Flag } from './command';
import { parseTemplate, TemplateError, unescapeFormat, type Template } from '../lib/go-template';

export type ListFormat =
  | { kind: 'table' }
  | { kind: 'json' }
  | { kind: 'template'; template: Template; table: boolean };

export const TEMPLATE_FORMAT: Flag = { name: 'format', takesValue: true, value: 'string', help: 'Format output: "table", "json", "table TEMPLATE" or a Go TEMPLATE (e.g. \'{{.Names}}\\t{{.Status}}\')' };

/** Reads --format (a bad template is a usage error, before the helper is asked anything). */
export function listFormat(p: Parsed, opts: { unescape?: boolean } = { unescape: true }): ListFormat {
  const f = str(p, 'format');
  if (f === undefined || f === '' || f === 'table') return { kind: 'table' };
  if (f === 'json') return { kind: 'json' };
  const isTable = /^table(\s|$)/.test(f);
  let src = isTable ? f.slice(5).trim() : f;
  if (opts.unescape !== false) src = unescapeFormat(src);
  try {
    return { kind: 'template', template: parseTemplate(src), table: isTable };
  } catch (e) {
    if (e instanceof TemplateError) throw new UsageError(`--format: ${e.message}`);
    throw e;
  }
}

/**
 * Runs a list's template over its rows: with `table`, a header row first (the
 * template run over `headers`, each field's column name, as Docker does) and
 * the columns aligned as Go's tabwriter with Docker's settings (at least 10
 * wide, 3 spaces between).
 */
export function renderTemplate(f: { template: Template; table: boolean }, rows: object[], headers: Record<string, string>): string {
  const lines = rows.map((r) => f.template.execute(r));
  if (!f.table) return lines.map((l) => l + '\n').join('');
  const head = f.template.execute(headerRow(headers));
  return alignTabs([head, ...lines].join('\n') + '\n');
}

/** A row whose every field (and method) is its column's name. */
function headerRow(headers: Record<string, string>): object {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.startsWith('()') ? () => v.slice(2) : v]));
}

/** Go's text/tabwriter with minwidth 10, padding 3: every tab-ended cell padded to its column's width. */
export function alignTabs(text: string): string {
  const lines = text.split('\n');
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of cells) row.slice(0, -1).forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length + 3, 10); });
  return cells.map((row) => row.map((c, i) => (i < row.length - 1 ? c.padEnd(widths[i] + (c.length - [...c].length)) : c)).join('').trimEnd()).join('\n');
}
