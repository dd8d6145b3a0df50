// OCI blockIO onto the kernel's files: v1 (CFQ's or BFQ's weights, the
// throttles), v2 (io.bfq.weight on the v1 scale, io.weight on runc's
// 1..10000 mapping, io.max one line per device), and the refusals: ranges,
// device numbers, leaf weights where there are none, weights where the
// host's schedulers keep none (before anything is written).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ioWeight, v1BlockIOWrites, v2BlockIOWrites, validateBlockIO, type BlockIO } from '../../helper/cgroups/block-io-limits';

const all: BlockIO = {
  weight: 300,
  weightDevice: [{ major: 8, minor: 0, weight: 500 }],
  throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
  throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
  throttleReadIOPSDevice: [{ major: 8, minor: 16, rate: 100 }],
  throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }],
};

test('v1: CFQ and BFQ weight files, throttles a line a device', () => {
  assert.deepEqual(v1BlockIOWrites(all, false), [
    ['blkio.weight', ['300']],
    ['blkio.weight_device', ['8:0 500']],
    ['blkio.throttle.read_bps_device', ['8:0 1048576']],
    ['blkio.throttle.write_bps_device', ['8:0 2097152']],
    ['blkio.throttle.read_iops_device', ['8:16 100']],
    ['blkio.throttle.write_iops_device', ['8:0 0']],
  ]);
  assert.deepEqual(v1BlockIOWrites({ weight: 300 }, true), [['blkio.bfq.weight', ['300']]]);
  assert.deepEqual(v1BlockIOWrites({ leafWeight: 200 }, false), [['blkio.leaf_weight', ['200']]]);
  assert.throws(() => v1BlockIOWrites({ leafWeight: 200 }, true), /BFQ scheduler has no leaf weights/);
  // no weight files: a weight is refused, throttles are not
  assert.throws(() => v1BlockIOWrites({ weight: 300 }, undefined), /keep no weights/);
  assert.deepEqual(v1BlockIOWrites({ throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1 }] }, undefined), [['blkio.throttle.read_bps_device', ['254:0 1']]]);
});

test('v2: io.weight on runc\'s scale (or io.bfq.weight on v1\'s), io.max one line per device, 0 lifts a limit', () => {
  assert.equal(ioWeight(10), 1);
  assert.equal(ioWeight(1000), 10000);
  assert.equal(ioWeight(500), 1 + Math.floor((490 * 9999) / 990));
  assert.deepEqual(v2BlockIOWrites(all, false), [
    ['io.weight', [`default ${ioWeight(300)}`, `8:0 ${ioWeight(500)}`]],
    ['io.max', ['8:0 rbps=1048576 wbps=2097152 wiops=max', '8:16 riops=100']],
  ]);
  assert.deepEqual(v2BlockIOWrites({ weight: 300, weightDevice: [{ major: 8, minor: 0, weight: 500 }] }, true), [['io.bfq.weight', ['300', '8:0 500']]]);
  assert.throws(() => v2BlockIOWrites({ leafWeight: 100 }, false), /cgroup v2 has no leaf weights/);
  assert.throws(() => v2BlockIOWrites({ weight: 100 }, undefined), /keep no weights/);
});

test('validation: weights 10..1000 (0: not set), device numbers, rates, list sizes', () => {
  validateBlockIO(all);
  validateBlockIO({ weight: 0 });
  assert.throws(() => validateBlockIO({ weight: 5 }), /blockIO\.weight: 5 is out of range/);
  assert.throws(() => validateBlockIO({ weight: 1001 }), /out of range/);
  assert.throws(() => validateBlockIO({ weightDevice: [{ major: 8, minor: 0, weight: 2000 }] }), /weightDevice 8:0 weight: 2000/);
  assert.throws(() => validateBlockIO({ throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] }), /needs a major and a minor/);
  assert.throws(() => validateBlockIO({ throttleReadBpsDevice: [{ major: 8, minor: 0, rate: -5 }] }), /rate -5 must be a whole number/);
  assert.throws(() => validateBlockIO({ throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1.5 }] }), /rate 1\.5/);
  assert.throws(() => validateBlockIO({ throttleWriteBpsDevice: Array.from({ length: 300 }, () => ({ major: 8, minor: 0, rate: 1 })) }), /at most 256 devices/);
  assert.throws(() => validateBlockIO([] as unknown as BlockIO), /must be an object/);
});
