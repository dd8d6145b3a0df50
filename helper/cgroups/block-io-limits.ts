// OCI `linux.resources.blockIO` as the kernel's files take it: the
// proportional weights (a BFQ or CFQ scheduler's, where the host has one)
// and the throttles (bytes and I/O operations per second per device, which
// every block device has). v1: blkio.{bfq.,}weight[_device],
// blkio.leaf_weight[_device], blkio.throttle.{read,write}_{bps,iops}_device;
// v2: io.bfq.weight (the v1 scale) or io.weight (1..10000, runc's mapping)
// and io.max. Each write is one line, as the kernel parses one rule a write.
import { invalid, NscopeError } from '../errors';

export interface WeightDevice { major: number; minor: number; weight?: number; leafWeight?: number }
export interface ThrottleDevice { major: number; minor: number; rate: number }

export interface BlockIO {
  /** 10..1000 (0: not set) */
  weight?: number;
  leafWeight?: number;
  weightDevice?: WeightDevice[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export const THROTTLES = ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const;
const MAX_DEVICES = 256;

const devNum = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xfffff;

function checkWeight(w: unknown, what: string): void {
  if (w === undefined || w === 0) return;
  if (!Number.isInteger(w) || (w as number) < 10 || (w as number) > 1000) throw invalid(`${what}: ${String(w).slice(0, 20)} is out of range; the range of blkio weight is from 10 to 1000`);
}

/** Range and shape checks before a file is written: a hostile spec gets one error naming the field. */
export function validateBlockIO(b: BlockIO | undefined): void {
  if (b === undefined) return;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw invalid('blockIO: must be an object');
  checkWeight(b.weight, 'blockIO.weight');
  checkWeight(b.leafWeight, 'blockIO.leafWeight');
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > MAX_DEVICES) throw invalid(`${what}: must be a list of at most ${MAX_DEVICES} devices`);
    return v;
  };
  for (const d of list(b.weightDevice, 'blockIO.weightDevice') as WeightDevice[]) {
    if (!d || !devNum(d.major) || !devNum(d.minor)) throw invalid('blockIO.weightDevice: each entry needs a major and a minor device number');
    checkWeight(d.weight, `blockIO.weightDevice ${d.major}:${d.minor} weight`);
    checkWeight(d.leafWeight, `blockIO.weightDevice ${d.major}:${d.minor} leafWeight`);
  }
  for (const k of THROTTLES) {
    for (const d of list(b[k], `blockIO.${k}`) as ThrottleDevice[]) {
      if (!d || !devNum(d.major) || !devNum(d.minor)) throw invalid(`blockIO.${k}: each entry needs a major and a minor device number`);
      if (!Number.isSafeInteger(d.rate) || d.rate < 0) throw invalid(`blockIO.${k} ${d.major}:${d.minor}: rate ${String(d.rate).slice(0, 24)} must be a whole number, 0 or more`);
    }
  }
}

export const hasBlockIO = (b: BlockIO | undefined): boolean =>
  !!b && (!!b.weight || !!b.leafWeight || !!b.weightDevice?.length || THROTTLES.some((k) => !!b[k]?.length));

/** A file (relative to the cgroup's directory) and the lines written to it, one write each. */
export type FileWrites = Array<[file: string, lines: string[]]>;

const V1_THROTTLE: Record<(typeof THROTTLES)[number], string> = {
  throttleReadBpsDevice: 'blkio.throttle.read_bps_device', throttleWriteBpsDevice: 'blkio.throttle.write_bps_device',
  throttleReadIOPSDevice: 'blkio.throttle.read_iops_device', throttleWriteIOPSDevice: 'blkio.throttle.write_iops_device',
};

/**
 * v1: `bfq` says whether the weights are BFQ's (blkio.bfq.*) rather than
 * CFQ's; undefined when neither exists, then a weight is refused.
 */
export function v1BlockIOWrites(b: BlockIO, bfq: boolean | undefined): FileWrites {
  const out: FileWrites = [];
  const weights = !!b.weight || !!b.leafWeight || !!b.weightDevice?.some((d) => d.weight || d.leafWeight);
  if (weights && bfq === undefined) throw noWeights();
  const w = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
  if (b.weight) out.push([w, [String(b.weight)]]);
  if (b.leafWeight) {
    if (bfq) throw invalid('blockIO.leafWeight: the BFQ scheduler has no leaf weights (CFQ had)');
    out.push(['blkio.leaf_weight', [String(b.leafWeight)]]);
  }
  const dw = (b.weightDevice ?? []).filter((d) => d.weight).map((d) => `${d.major}:${d.minor} ${d.weight}`);
  if (dw.length) out.push([`${w}_device`, dw]);
  const dl = (b.weightDevice ?? []).filter((d) => d.leafWeight).map((d) => `${d.major}:${d.minor} ${d.leafWeight}`);
  if (dl.length) {
    if (bfq) throw invalid('blockIO.weightDevice leafWeight: the BFQ scheduler has no leaf weights (CFQ had)');
    out.push(['blkio.leaf_weight_device', dl]);
  }
  for (const k of THROTTLES) {
    const lines = (b[k] ?? []).map((d) => `${d.major}:${d.minor} ${d.rate}`);
    if (lines.length) out.push([V1_THROTTLE[k], lines]);
  }
  return out;
}

/** OCI's (v1's) 10..1000 onto io.weight's 1..10000, runc's mapping. */
export const ioWeight = (w: number) => 1 + Math.floor(((w - 10) * 9999) / 990);

const V2_KEYS: Record<(typeof THROTTLES)[number], string> = {
  throttleReadBpsDevice: 'rbps', throttleWriteBpsDevice: 'wbps', throttleReadIOPSDevice: 'riops', throttleWriteIOPSDevice: 'wiops',
};

/** v2: `bfq` as for v1 (io.bfq.weight, else io.weight; undefined: neither). */
export function v2BlockIOWrites(b: BlockIO, bfq: boolean | undefined): FileWrites {
  const out: FileWrites = [];
  if (b.leafWeight || b.weightDevice?.some((d) => d.leafWeight)) throw invalid('blockIO.leafWeight: cgroup v2 has no leaf weights');
  const weights = !!b.weight || !!b.weightDevice?.some((d) => d.weight);
  if (weights && bfq === undefined) throw noWeights();
  const conv = (n: number) => String(bfq ? n : ioWeight(n));
  const file = bfq ? 'io.bfq.weight' : 'io.weight';
  const lines = [
    ...(b.weight ? [bfq ? conv(b.weight) : `default ${conv(b.weight)}`] : []),
    ...(b.weightDevice ?? []).filter((d) => d.weight).map((d) => `${d.major}:${d.minor} ${conv(d.weight!)}`),
  ];
  if (lines.length) out.push([file, lines]);
  // io.max: one line per device with every limit it has; 0 lifts a limit ("max")
  const perDevice = new Map<string, string[]>();
  for (const k of THROTTLES) {
    for (const d of b[k] ?? []) {
      const dev = `${d.major}:${d.minor}`;
      perDevice.set(dev, [...(perDevice.get(dev) ?? []), `${V2_KEYS[k]}=${d.rate === 0 ? 'max' : d.rate}`]);
    }
  }
  if (perDevice.size) out.push(['io.max', [...perDevice].map(([dev, kv]) => `${dev} ${kv.join(' ')}`)]);
  return out;
}

function noWeights() {
  return new NscopeError('unsupported', 'blockIO.weight: this host\'s block I/O schedulers keep no weights (no BFQ or CFQ: the cgroup has no weight file); throttles (bps, iops) work');
}
