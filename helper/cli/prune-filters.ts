// The prune commands' --filter, as Docker reads them: until=TIME (RFC 3339,
// Unix seconds, or a Go duration before now: only what was created before it
// goes), label=KEY[=VALUE] (only what has that label) and label!=KEY[=VALUE]
// (only what has not). Each command takes the keys Docker's does; any other
// is refused before anything is removed.
import { labelsPass } from '../lib/label-filter';
import { list, UsageError, type Parsed } from './args';
import { parseFilters } from './filters';
import { parseTimeArg } from './time-arg';

export type PruneKey = 'until' | 'label' | 'label!';

export interface PruneFilter {
  /** ms since the epoch: only what was created before goes */
  until?: number;
  labels: string[];
  labelsNot: string[];
  /** the filters as given, for the confirmation prompt */
  given: string[];
}

export function pruneFilters(p: Parsed, allowed: readonly PruneKey[]): PruneFilter {
  const f = parseFilters(list(p, 'filter'), allowed);
  const until = f.get('until');
  if (until && until.length > 1) throw new UsageError('more than one until filter specified');
  return {
    ...(until ? { until: parseTimeArg(until[0], 'filter until') } : {}),
    labels: f.get('label') ?? [], labelsNot: f.get('label!') ?? [], given: list(p, 'filter') ?? [],
  };
}

/** Does an object created at `created` with `labels` pass the filter (and so may go)? One without a creation time never passes an until. */
export function prunable(f: PruneFilter, created: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (f.until !== undefined && !(Date.parse(created ?? '') < f.until)) return false;
  return labelsPass(labels, f.labels, f.labelsNot);
}

export const NO_FILTER: PruneFilter = { labels: [], labelsNot: [], given: [] };
