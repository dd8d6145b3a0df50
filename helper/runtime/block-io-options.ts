// `run --blkio-weight`, `--blkio-weight-device`, `--device-read-bps`,
// `--device-write-bps`, `--device-read-iops`, `--device-write-iops`: Docker's
// block I/O flags as OCI blockIO (../cgroups/block-io-limits.ts writes it).
// A device is named by its path on the host, as Docker takes it: it must be
// a block device (its major:minor is what the kernel is given). A weight on a
// host whose I/O schedulers keep none (no BFQ, no CFQ) is discarded with
// Docker's warning rather than refused, as Docker does.
import * as fs from 'fs';
import * as path from 'path';
import type { BlockIO, ThrottleDevice } from '../cgroups/block-io-limits';
import { parseBytes } from '../cgroups/units';
import { invalid } from '../errors';
import { devMajor, devMinor } from '../lib/dev-t';
import type { RunOptions } from '../protocol/types';

const MAX_DEVICES = 64;

/** "/dev/sda" -> its major and minor, or an error naming the flag. */
function blockDevice(p: string, flag: string): { major: number; minor: number } {
  if (!path.isAbsolute(p) || p.includes('\0')) throw invalid(`${flag}: "${p.slice(0, 80)}" is not an absolute device path`);
  let st: fs.Stats;
  try { st = fs.statSync(p); } catch { throw invalid(`${flag}: no such device: ${p.slice(0, 80)}`); }
  if (!st.isBlockDevice()) throw invalid(`${flag}: ${p.slice(0, 80)} is not a block device`);
  return { major: devMajor(st.rdev), minor: devMinor(st.rdev) };
}

/** "PATH:VALUE" split at the last ':' (a path may hold one). */
function pathAndValue(s: string, flag: string): [string, string] {
  const i = typeof s === 'string' ? s.lastIndexOf(':') : -1;
  if (i <= 0 || i === s.length - 1) throw invalid(`${flag}: bad format "${String(s).slice(0, 80)}": expected DEVICE:VALUE`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function throttles(list: string[] | undefined, flag: string, bytes: boolean): ThrottleDevice[] {
  if (!list?.length) return [];
  if (list.length > MAX_DEVICES) throw invalid(`${flag}: at most ${MAX_DEVICES} devices`);
  return list.map((s) => {
    const [p, v] = pathAndValue(s, flag);
    let rate: number;
    if (bytes) rate = parseBytes(v, flag);
    else {
      if (!/^\d+$/.test(v)) throw invalid(`${flag}: invalid rate for device: ${v.slice(0, 40)}. The correct format is <device-path>:<number>. Number must be a positive integer`);
      rate = Number(v);
    }
    if (!Number.isSafeInteger(rate) || rate < 0) throw invalid(`${flag}: rate ${v.slice(0, 40)} is out of range`);
    return { ...blockDevice(p, flag), rate };
  });
}

function weightOf(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 10 || n > 1000) throw invalid(`${flag}: invalid weight for device: ${v.slice(0, 40)}; the range of blkio weight is from 10 to 1000`);
  return n;
}

/**
 * The OCI blockIO of the flags (undefined: none given) and Docker's warnings
 * for what is discarded; `weights`: whether the host keeps block I/O weights
 * (CgroupDriver.blockWeights).
 */
export function blockIOFromOptions(opts: RunOptions, weights: boolean): { blockIO?: BlockIO; warnings: string[] } {
  const warnings: string[] = [];
  const b: BlockIO = {};
  if (opts.blkioWeight !== undefined && opts.blkioWeight !== 0) {
    if (!Number.isInteger(opts.blkioWeight) || opts.blkioWeight < 10 || opts.blkioWeight > 1000) throw invalid(`--blkio-weight: ${opts.blkioWeight} is out of range; the range of blkio weight is from 10 to 1000`);
    b.weight = opts.blkioWeight;
  }
  if (opts.blkioWeightDevice?.length) {
    if (opts.blkioWeightDevice.length > MAX_DEVICES) throw invalid(`--blkio-weight-device: at most ${MAX_DEVICES} devices`);
    b.weightDevice = opts.blkioWeightDevice.map((s) => {
      const [p, v] = pathAndValue(s, '--blkio-weight-device');
      return { ...blockDevice(p, '--blkio-weight-device'), weight: weightOf(v, '--blkio-weight-device') };
    });
  }
  if ((b.weight || b.weightDevice) && !weights) {
    if (b.weight) warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    if (b.weightDevice) warnings.push('Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.');
    delete b.weight;
    delete b.weightDevice;
  }
  const t = {
    throttleReadBpsDevice: throttles(opts.deviceReadBps, '--device-read-bps', true),
    throttleWriteBpsDevice: throttles(opts.deviceWriteBps, '--device-write-bps', true),
    throttleReadIOPSDevice: throttles(opts.deviceReadIops, '--device-read-iops', false),
    throttleWriteIOPSDevice: throttles(opts.deviceWriteIops, '--device-write-iops', false),
  };
  for (const [k, v] of Object.entries(t)) if (v.length) (b as Record<string, unknown>)[k] = v;
  return { ...(Object.keys(b).length ? { blockIO: b } : {}), warnings };
}

/** "/dev/vda" for 254:0 (udev's name in /sys), for inspect; "MAJ:MIN" where /sys does not say. */
export function devicePath(major: number, minor: number): string {
  try {
    const m = /^DEVNAME=(.+)$/m.exec(fs.readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, 'utf8'));
    if (m) return `/dev/${m[1]}`;
  } catch { /* no such device now */ }
  return `${major}:${minor}`;
}
