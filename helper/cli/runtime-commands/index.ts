// Every nscope-runtime command, in runc's order for the help.
import { execCommand } from './exec';
import { eventsCommand, featuresCommand, specCommand } from './info';
import { lifecycleCommands } from './lifecycle';
import { pauseCommand, resumeCommand } from './pause';
import type { RuntimeCommand } from './types';
import { updateCommand } from './update';

const byName = new Map(lifecycleCommands.map((c) => [c.name, c]));

export const COMMANDS: RuntimeCommand[] = [
  byName.get('create')!, byName.get('delete')!, eventsCommand, execCommand, byName.get('kill')!, byName.get('list')!,
  pauseCommand, byName.get('ps')!, resumeCommand, byName.get('run')!, specCommand, byName.get('start')!,
  byName.get('state')!, updateCommand, featuresCommand,
];

export function findCommand(name: string): RuntimeCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
