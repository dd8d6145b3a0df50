// The shape of `container.create` params, checked before anything is done:
// a hostile or buggy client gets one error naming the field.
import { invalid } from '../errors';
import type { RunOptions } from '../protocol/types';
import { checkHealthConfig } from './healthcheck';

type Kind = 'string' | 'boolean' | 'strings' | 'number' | 'size' | 'labels' | 'healthcheck';

const FIELDS: Record<keyof RunOptions, Kind> = {
  image: 'string', cmd: 'strings', entrypoint: 'strings', name: 'string', hostname: 'string', env: 'strings',
  workdir: 'string', user: 'string', volumes: 'strings', rm: 'boolean', privileged: 'boolean', readOnly: 'boolean',
  capAdd: 'strings', capDrop: 'strings', net: 'string', pid: 'string', ipc: 'string', uts: 'string', cgroupns: 'string',
  labels: 'labels', annotations: 'labels', runtime: 'string', securityOpt: 'strings', userns: 'string', tty: 'boolean', interactive: 'boolean', rows: 'number', cols: 'number',
  publish: 'strings', publishAll: 'boolean', expose: 'strings', volumesFrom: 'strings', networkAliases: 'strings', mounts: 'strings', tmpfs: 'strings', lxcfs: 'boolean', lookupAtStart: 'boolean', ulimits: 'strings', stopSignal: 'string', restart: 'string', addHosts: 'strings', shmSize: 'size', oomKillDisable: 'boolean', oomScoreAdj: 'number', domainname: 'string', cgroupParent: 'string', logDriver: 'string', logOpts: 'strings', memorySwappiness: 'number', deviceCgroupRules: 'strings', blkioWeight: 'number', blkioWeightDevice: 'strings', deviceReadBps: 'strings', deviceWriteBps: 'strings', deviceReadIops: 'strings', deviceWriteIops: 'strings', ip: 'string', macAddress: 'string', init: 'boolean', sysctls: 'strings', groupAdd: 'strings', devices: 'strings', dns: 'strings', dnsSearch: 'strings', dnsOptions: 'strings', stopTimeout: 'number', healthcheck: 'healthcheck',
  memory: 'size', memorySwap: 'size', memoryReservation: 'size', cpus: 'size', cpuShares: 'size', cpuPeriod: 'size', cpuQuota: 'size', pidsLimit: 'size', cpusetCpus: 'string', cpusetMems: 'string',
};

const MAX_STRING = 64 * 1024;
const MAX_ITEMS = 4096;

export function checkRunOptions(o: unknown): RunOptions {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw invalid('create: options must be an object');
  for (const [k, v] of Object.entries(o)) {
    const kind = FIELDS[k as keyof RunOptions];
    if (!kind) throw invalid(`create: unknown option "${k.slice(0, 40)}"`);
    // null is absent: dropped here, so no step below reads a field of it (`pid: null` -> .startsWith)
    if (v === undefined || v === null) { delete (o as Record<string, unknown>)[k]; continue; }
    if (kind === 'healthcheck') { checkHealthConfig(v); continue; }
    const str = (x: unknown) => typeof x === 'string' && x.length <= MAX_STRING && !x.includes('\0');
    const ok = kind === 'string' ? str(v)
      : kind === 'boolean' ? typeof v === 'boolean'
      : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : kind === 'size' ? str(v) || (typeof v === 'number' && Number.isFinite(v))
      : kind === 'strings' ? Array.isArray(v) && v.length <= MAX_ITEMS && v.every(str)
      : typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length <= MAX_ITEMS && Object.entries(v as object).every(([a, b]) => str(a) && str(b));
    if (!ok) throw invalid(`create: "${k}" must be ${kind === 'strings' ? 'a list of strings' : kind === 'labels' ? 'an object of strings' : kind === 'size' ? 'a string or number' : `a ${kind}`}`);
  }
  return o as RunOptions;
}
