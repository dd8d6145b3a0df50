// The flags of `run` and `create` (and the limit flags `update` shares), and
// their translation into the protocol's RunOptions.
import type { LimitArgs, RunOptions } from '../protocol';
import { bool, list, str, type FlagSpec, type Parsed } from './args';
import { terminalSize } from './exec';

export const LIMIT_FLAGS: FlagSpec[] = [
  { name: 'memory', short: 'm', takesValue: true },
  { name: 'memory-swap', takesValue: true },
  { name: 'cpus', takesValue: true },
  { name: 'cpu-shares', short: 'c', takesValue: true },
  { name: 'pids-limit', takesValue: true },
  { name: 'cpuset-cpus', takesValue: true },
  { name: 'cpuset-mems', takesValue: true },
];

export const CREATE_FLAGS: FlagSpec[] = [
  ...LIMIT_FLAGS,
  { name: 'name', takesValue: true },
  { name: 'hostname', short: 'h', takesValue: true },
  { name: 'env', short: 'e', takesValue: true, repeat: true },
  { name: 'workdir', short: 'w', takesValue: true },
  { name: 'volume', short: 'v', takesValue: true, repeat: true },
  { name: 'user', short: 'u', takesValue: true },
  { name: 'rm' },
  { name: 'privileged' },
  { name: 'read-only' },
  { name: 'cap-add', takesValue: true, repeat: true },
  { name: 'cap-drop', takesValue: true, repeat: true },
  { name: 'network', takesValue: true, aliases: ['net'] },
  { name: 'pid', takesValue: true },
  { name: 'ipc', takesValue: true },
  { name: 'uts', takesValue: true },
  { name: 'cgroupns', takesValue: true },
  { name: 'entrypoint', takesValue: true },
  { name: 'label', short: 'l', takesValue: true, repeat: true },
  { name: 'format', takesValue: true },
  { name: 'tty', short: 't' },
  { name: 'interactive', short: 'i' },
];

export function limitArgs(p: Parsed): LimitArgs {
  const out: LimitArgs = {};
  const m: [string, keyof LimitArgs][] = [
    ['memory', 'memory'], ['memory-swap', 'memorySwap'], ['cpus', 'cpus'], ['cpu-shares', 'cpuShares'],
    ['pids-limit', 'pidsLimit'], ['cpuset-cpus', 'cpusetCpus'], ['cpuset-mems', 'cpusetMems'],
  ];
  for (const [flag, key] of m) {
    const v = str(p, flag);
    if (v !== undefined) (out as Record<string, string>)[key] = v;
  }
  return out;
}

export function runOptions(p: Parsed): RunOptions {
  const [image, ...cmd] = p.positionals;
  const labels: Record<string, string> = {};
  for (const l of list(p, 'label') ?? []) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const entry = str(p, 'entrypoint');
  return {
    ...limitArgs(p),
    image,
    cmd: cmd.length ? cmd : undefined,
    entrypoint: entry === undefined ? undefined : entry === '' ? [] : [entry],
    name: str(p, 'name'),
    hostname: str(p, 'hostname'),
    env: list(p, 'env'),
    workdir: str(p, 'workdir'),
    volumes: list(p, 'volume'),
    user: str(p, 'user'),
    rm: bool(p, 'rm'),
    tty: bool(p, 'tty'),
    interactive: bool(p, 'interactive'),
    // no size (the helper's default) where this terminal reports none (0x0), as Docker does
    ...(bool(p, 'tty') ? terminalSize() : undefined),
    privileged: bool(p, 'privileged'),
    readOnly: bool(p, 'read-only'),
    capAdd: list(p, 'cap-add'),
    capDrop: list(p, 'cap-drop'),
    net: str(p, 'network'),
    pid: str(p, 'pid'),
    ipc: str(p, 'ipc'),
    uts: str(p, 'uts'),
    cgroupns: str(p, 'cgroupns'),
    labels: Object.keys(labels).length ? labels : undefined,
  };
}
