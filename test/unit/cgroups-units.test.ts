// User-facing limit parsing and display (no root, no cgroups touched).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  cpusToQuota, formatBytes, formatCpuList, limitsToResources, parseBytes, parseCpuList, parsePidsLimit,
  quotaToCpus, resourcesToLimits, validateCpuset,
} from '../../helper/cgroups/units';
import { validateResources } from '../../helper/cgroups/validate';
import { sharesToWeight, weightToShares } from '../../helper/cgroups/v2';
import { NscopeError } from '../../helper/errors';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const host = { cpus: [0, 1], mems: [0] };

/** Asserts an `invalid` NscopeError whose one-line message matches. */
function rejects(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NscopeError, String(err));
    assert.equal(err.code, 'invalid');
    assert.match(err.message, re);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

test('parseBytes: units b,k,m,g,t in any case, with optional b/ib, binary (1k = 1024)', () => {
  const table: [string | number, number][] = [
    ['0', 0], ['1048576', MiB], ['512b', 512], ['512B', 512], ['1k', KiB], ['1K', KiB], ['1kb', KiB], ['1KiB', KiB],
    ['64m', 64 * MiB], ['64M', 64 * MiB], ['64MB', 64 * MiB], ['64mib', 64 * MiB], [' 64 m ', 64 * MiB],
    ['1.5g', 1.5 * GiB], ['2G', 2 * GiB], ['1t', 1024 * GiB], ['0.5k', 512], ['1.0001k', 1024], [4096, 4096],
  ];
  for (const [input, want] of table) assert.equal(parseBytes(input, '--memory'), want, JSON.stringify(input));
});

test('parseBytes: bad input names the flag and the value', () => {
  for (const bad of ['64q', '', 'm', '-1', '64 mm', '64ib', '1e6', '0x10', 'ten']) {
    rejects(() => parseBytes(bad, '--memory'), new RegExp(`^--memory: ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a size`));
  }
  rejects(() => parseBytes('99999999t', '--memory'), /too large/);
  rejects(() => parseBytes(-5, '--memory'), /--memory/);
  rejects(() => parseBytes(1.5, '--memory'), /--memory/);
});

test('formatBytes', () => {
  const table: [number, string][] = [
    [0, '0 B'], [512, '512 B'], [1023, '1023 B'], [1024, '1 KiB'], [1536, '1.5 KiB'], [24222105, '23.1 MiB'],
    [64 * MiB, '64 MiB'], [GiB - 1, '1 GiB'], [1.25 * GiB, '1.3 GiB'], [3 * 1024 * GiB, '3 TiB'],
  ];
  for (const [n, want] of table) assert.equal(formatBytes(n), want, String(n));
});

test('cpusToQuota / quotaToCpus', () => {
  assert.deepEqual(cpusToQuota(0.5, 2), { quota: 50000, period: 100000 });
  assert.deepEqual(cpusToQuota('1.5', 2), { quota: 150000, period: 100000 });
  assert.deepEqual(cpusToQuota(0.01, 2), { quota: 1000, period: 100000 });
  assert.deepEqual(cpusToQuota(2, 2), { quota: 200000, period: 100000 });
  rejects(() => cpusToQuota(3, 2), /^--cpus: 3: Range of CPUs is from 0\.01 to 2\.00, as there are only 2 CPUs available$/);
  rejects(() => cpusToQuota('-1', 2), /^--cpus: -1: Range of CPUs is from 0\.01 to 2\.00/);
  rejects(() => cpusToQuota(0.001, 2), /--cpus: 0\.001: Range of CPUs/);
  rejects(() => cpusToQuota(0, 2), /--cpus/);
  rejects(() => cpusToQuota('half', 2), /^--cpus: "half" is not a number of CPUs/);
  rejects(() => cpusToQuota(Number.NaN, 2), /--cpus/);
  assert.equal(quotaToCpus(50000, 100000), 0.5);
  assert.equal(quotaToCpus(null, 100000), null);
  assert.equal(quotaToCpus(-1, 100000), null);
});

test('cpuset lists: parse, format, check against online CPUs', () => {
  assert.deepEqual(parseCpuList('0-2,4'), [0, 1, 2, 4]);
  assert.deepEqual(parseCpuList('3,1,1-2'), [1, 2, 3]);
  assert.equal(formatCpuList([4, 0, 1, 2, 7, 8]), '0-2,4,7-8');
  assert.equal(validateCpuset('1,0', [0, 1], '--cpuset-cpus'), '0-1');
  rejects(() => validateCpuset('0-3', [0, 1], '--cpuset-cpus'), /^--cpuset-cpus: CPU 2,3 are not online \(online: 0-1\)$/);
  rejects(() => validateCpuset('5', [0, 1], '--cpuset-cpus'), /CPU 5 is not online/);
  for (const bad of ['', '0-', '-1', '1,,2', 'a', '0 1', '2-1']) rejects(() => parseCpuList(bad, '--cpuset-cpus'), /^--cpuset-cpus: /);
});

test('parsePidsLimit: 0/-1 unlimited, 1..4194304, integers only', () => {
  assert.equal(parsePidsLimit('100'), 100);
  assert.equal(parsePidsLimit(0), -1);
  assert.equal(parsePidsLimit('-1'), -1);
  assert.equal(parsePidsLimit(4194304), 4194304);
  rejects(() => parsePidsLimit(4194305), /^--pids-limit: 4194305 is out of range/);
  rejects(() => parsePidsLimit('-2'), /--pids-limit/);
  rejects(() => parsePidsLimit('1.5'), /^--pids-limit: "1.5" is not a whole number$/);
  rejects(() => parsePidsLimit('many'), /--pids-limit/);
});

test('limitsToResources: Docker flags to OCI resources', () => {
  assert.deepEqual(limitsToResources({}, host), {});
  assert.deepEqual(
    limitsToResources({ memory: '64m', memorySwap: '128m', memoryReservation: '32m', cpus: '0.5', cpuShares: '512', pidsLimit: 100, cpusetCpus: '1,0', cpusetMems: '0' }, host),
    {
      memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB },
      cpu: { quota: 50000, period: 100000, shares: 512, cpus: '0-1', mems: '0' },
      pids: { limit: 100 },
    });
  assert.deepEqual(limitsToResources({ memory: '64m', memorySwap: '-1' }, host), { memory: { limit: 64 * MiB, swap: -1 } });
  assert.deepEqual(limitsToResources({ memory: '-1' }, host), { memory: { limit: -1 } });
  assert.deepEqual(limitsToResources({ memory: '64m' }, host), { memory: { limit: 64 * MiB } }, 'swap left alone (no 2x default)');
  assert.deepEqual(limitsToResources({ pidsLimit: '0' }, host), { pids: { limit: -1 } });
  rejects(() => limitsToResources({ memory: '64q' }, host), /^--memory: "64q" is not a size/);
  rejects(() => limitsToResources({ memory: '1m' }, host), /^--memory: 1 MiB is below the minimum of 6 MiB$/);
  rejects(() => limitsToResources({ memorySwap: '1g' }, host), /^--memory-swap: needs --memory/);
  rejects(() => limitsToResources({ memory: '64m', memorySwap: '32m' }, host), /^--memory-swap: 32 MiB is below --memory 64 MiB/);
  rejects(() => limitsToResources({ memory: '64m', memoryReservation: '128m' }, host), /^--memory-reservation: 128 MiB is above --memory 64 MiB$/);
  rejects(() => limitsToResources({ cpus: '4' }, host), /^--cpus: /);
  rejects(() => limitsToResources({ cpuShares: 1 }, host), /^--cpu-shares: 1 is out of range; use 2\.\.262144/);
  rejects(() => limitsToResources({ cpusetCpus: '7' }, host), /^--cpuset-cpus: CPU 7 is not online/);
  rejects(() => limitsToResources({ cpusetMems: '1' }, host), /^--cpuset-mems: memory node 1 is not online/);
  rejects(() => limitsToResources({ pidsLimit: 'x' }, host), /^--pids-limit: /);
});

test('resourcesToLimits: the inverse, for display, from OCI or from a limits() read-back', () => {
  const res = limitsToResources({ memory: '64m', memorySwap: '-1', cpus: '1.5', cpuShares: 512, pidsLimit: 20, cpusetCpus: '0' }, host);
  assert.deepEqual(resourcesToLimits(res), { memory: '64 MiB', memorySwap: 'unlimited', cpus: '1.5', cpuShares: '512', cpusetCpus: '0', pidsLimit: '20' });
  assert.deepEqual(resourcesToLimits({ pids: { limit: -1 } }), {});
  assert.deepEqual(
    resourcesToLimits({ memoryLimit: 64 * MiB, memorySwap: null, memoryReservation: null, cpuQuota: 50000, cpuPeriod: 100000, cpuShares: 1024, cpusetCpus: '0-1', cpusetMems: '0', pidsLimit: null }),
    { memory: '64 MiB', cpus: '0.5', cpuShares: '1024', cpusetCpus: '0-1', cpusetMems: '0' });
});

test('validateResources: OCI-level ranges, messages name the field', () => {
  validateResources({ memory: { limit: -1, swap: -1 }, cpu: { shares: 0, quota: -1 }, pids: { limit: 0 } });
  validateResources(undefined);
  rejects(() => validateResources({ memory: { limit: 1.5 } }), /^memory\.limit: 1\.5 is not an integer/);
  rejects(() => validateResources({ memory: { limit: -2 } }), /^memory\.limit: /);
  rejects(() => validateResources({ memory: { limit: 64 * MiB, swap: 32 * MiB } }), /^memory\.swap: .* below memory\.limit/);
  rejects(() => validateResources({ memory: { limit: -1, swap: 32 * MiB } }), /^memory\.swap: .*give a memory limit/);
  rejects(() => validateResources({ cpu: { shares: 1 } }), /^cpu\.shares: 1 is not an integer in 2\.\.262144$/);
  rejects(() => validateResources({ cpu: { quota: 999 } }), /^cpu\.quota: /);
  rejects(() => validateResources({ cpu: { period: 999 } }), /^cpu\.period: /);
  rejects(() => validateResources({ cpu: { period: 1000001 } }), /^cpu\.period: /);
  rejects(() => validateResources({ cpu: { cpus: '0-a' } }), /^cpu\.cpus: "0-a" is not a list/);
  rejects(() => validateResources({ cpu: { mems: '3-1' } }), /^cpu\.mems: range "3-1" goes backwards$/);
  rejects(() => validateResources({ pids: { limit: -2 } }), /^pids\.limit: /);
});

test('cpu.shares -> cpu.weight (runc formula) and back', () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
  for (const s of [2, 512, 1024, 4096, 262144]) {
    const back = weightToShares(sharesToWeight(s));
    assert.ok(Math.abs(back - s) <= 27, `${s} -> ${sharesToWeight(s)} -> ${back}`);
  }
  assert.equal(weightToShares(1), 2);
  assert.equal(weightToShares(10000), 262144);
});
