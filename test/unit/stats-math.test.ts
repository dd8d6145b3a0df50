import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBlkioServiceBytes, parseIoStat, parsePerCpu } from '../../helper/cgroups/block-io';
import { cpuPercent, parseProcStat } from '../../helper/lib/host-cpu';
import { parseNetDev } from '../../helper/lib/proc-net-dev';
import { statsLine } from '../../helper/server/streams/stats';

test('cpu %: Docker\'s formula, one busy core of four is 100%', () => {
  // host: 4 CPUs × 1 s = 4e9 ns of CPU time passed; the cgroup used 1e9
  assert.equal(cpuPercent(1e9, 4e9, 4), 100);
  assert.equal(cpuPercent(0, 4e9, 4), 0);
  assert.equal(cpuPercent(5e8, 0, 4), null, 'no host time passed');
  assert.equal(cpuPercent(-1, 4e9, 4), null, 'counter went back');
});

test('/proc/stat: first 8 fields of "cpu" in ticks, and the cpuN count', () => {
  const text = 'cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 50 0 25 400 25 0 0 0 15 0\ncpu1 50 0 25 400 25 0 0 0 15 0\nintr 1 2\n';
  assert.deepEqual(parseProcStat(text), { totalNs: 1000 * 10_000_000, cpus: 2 });
});

test('/proc/net/dev: RX and TX bytes summed without lo', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    5000      10    0    0    0     0          0         0     5000      10    0    0    0     0       0          0
  eth0:    1200       8    0    0    0     0          0         0      700       5    0    0    0     0       0          0
  eth1:      34       1    0    0    0     0          0         0        6       1    0    0    0     0       0          0
`;
  assert.deepEqual(parseNetDev(text), { rx: 1234, tx: 706 });
  assert.deepEqual(parseNetDev(''), { rx: 0, tx: 0 });
});

test('block I/O: v1 throttle bytes without its Total, v2 io.stat', () => {
  const v1 = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Total 12288\n8:16 Read 1\n8:16 Write 2\nTotal 12291\n';
  assert.deepEqual(parseBlkioServiceBytes(v1), { read: 4097, write: 8194 });
  const v2 = '8:0 rbytes=4096 wbytes=100 rios=1 wios=1 dbytes=0 dios=0\n253:0 rbytes=4 wbytes=0 rios=1 wios=0\n';
  assert.deepEqual(parseIoStat(v2), { read: 4100, write: 100 });
  assert.deepEqual(parsePerCpu('100 200 0\n'), [100, 200, 0]);
});

test('a stats line: CPU figures only once there is a previous sample', () => {
  const base = { memoryUsage: 10, memoryLimit: 100, cpuUsageNs: 0, pidsCurrent: 2, pidsLimit: null, oomKills: 0, cpuPerCoreNs: [0, 0] };
  const prev = { stats: base, host: { totalNs: 0, cpus: 2 } };
  const cur = { stats: { ...base, cpuUsageNs: 1e9, cpuPerCoreNs: [1e9, 0], netRx: 5 }, host: { totalNs: 2e9, cpus: 2 } };
  const first = statsLine(prev, undefined, 1);
  assert.equal(first.cpuPercent, null);
  assert.equal(first.netRx, 0);
  const line = statsLine(cur, prev, 2);
  assert.equal(line.cpuPercent, 100);
  assert.deepEqual(line.cpuPerCore, [100, 0]);
  assert.equal(line.netRx, 5);
  assert.equal(line.pids, 2);
});
