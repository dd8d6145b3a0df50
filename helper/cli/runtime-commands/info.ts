// The commands that only report: `features` (the OCI features document),
// `spec` (a starter config.json) and `events` (cgroup statistics and OOM
// events as runc's JSON lines).
import * as path from 'path';
import { features } from '../../runtime/oci-features';
import { writeSpec } from '../../runtime/oci-spec';
import { parseDuration, statsEvent, streamEvents } from '../../runtime/oci-events';
import { bool, str, UsageError } from '../args';
import { writeAll } from '../runtime-log';
import { versionText } from '../runtime-version';
import { containerId, type RuntimeCommand } from './types';

export const featuresCommand: RuntimeCommand = {
  name: 'features',
  summary: 'show the enabled features',
  usage: '',
  description: 'Show the enabled features.\n   The result is parsable as a JSON (the OCI runtime features document).',
  flags: [],
  async run(_ctx, p) {
    if (p.positionals.length) throw new UsageError('features: takes no arguments');
    const version = /version (\S+)/.exec(versionText())?.[1] ?? 'unknown';
    writeAll(1, JSON.stringify(features(version), null, 4) + '\n');
    return 0;
  },
};

export const specCommand: RuntimeCommand = {
  name: 'spec',
  summary: 'create a new specification file',
  usage: '',
  description: `The spec command creates the new specification file named "config.json" for
the bundle.

The spec generated is just a starter file. Editing of the spec is required to
achieve desired results: it runs "sh" on a console (process.terminal), which
needs --console-socket or a terminal; set "terminal": false and args to run
something else.`,
  flags: [
    { name: 'bundle', short: 'b', takesValue: true, help: 'path to the root of the bundle directory' },
    { name: 'rootless', help: 'generate a configuration for a rootless container' },
  ],
  async run(_ctx, p) {
    writeSpec(path.resolve(str(p, 'bundle') ?? '.'), bool(p, 'rootless'));
    return 0;
  },
};

export const eventsCommand: RuntimeCommand = {
  name: 'events',
  summary: 'display container events such as OOM notifications, cpu, memory, and IO usage statistics',
  usage: '<container-id>',
  description: `The events command displays information about the container. By default the
information is displayed once every 5 seconds.`,
  flags: [
    { name: 'interval', takesValue: true, help: 'set the stats collection interval (default: 5s)' },
    { name: 'stats', help: "display the container's stats then exit" },
  ],
  async run(ctx, p) {
    const id = containerId(this, p);
    if (bool(p, 'stats')) {
      writeAll(1, JSON.stringify(statsEvent(ctx.rt, id)) + '\n');
      return 0;
    }
    const interval = parseDuration(str(p, 'interval') ?? '5s');
    let stopped = false;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { stopped = true; });
    await streamEvents(ctx.rt, id, interval, (e) => writeAll(1, JSON.stringify(e) + '\n'), () => stopped);
    return 0;
  },
};
