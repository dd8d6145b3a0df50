// `--device HOST[:CONTAINER][:PERMISSIONS]` (Docker's syntax and words): the
// host's node, made again in the container (linux.devices) and allowed by
// its device cgroup (linux.resources.devices: v1's devices.allow, v2's BPF
// device filter).
import * as fs from 'fs';
import * as path from 'path';
import type { DeviceRule } from '../cgroups/types';
import { invalid } from '../errors';
import { devMajor, devMinor } from '../lib/dev-t';
import type { Spec } from './spec';

export type LinuxDevice = NonNullable<NonNullable<Spec['linux']>['devices']>[number];

/** Docker's validDeviceMode: r, w and m, each at most once. */
function validMode(m: string): boolean {
  return m.length > 0 && m.length <= 3 && /^[rwm]+$/.test(m) && new Set(m).size === m.length;
}

export function parseDeviceFlag(v: string): { src: string; dst: string; access: string } {
  const arr = v.split(':');
  if (arr.length > 3) throw invalid(`invalid device specification: ${v}`);
  let access = 'rwm';
  let dst = '';
  if (arr.length === 3) {
    if (!validMode(arr[2])) throw invalid(`invalid device mode: ${arr[2]}`);
    access = arr[2];
    dst = arr[1];
  } else if (arr.length === 2) {
    if (validMode(arr[1])) access = arr[1];
    else dst = arr[1];
  }
  const src = arr[0];
  if (!dst) dst = src;
  for (const p of [src, dst]) if (!p.startsWith('/')) throw invalid(`--device: ${p} is not an absolute path`);
  if (path.posix.normalize(dst) === '/dev' || dst.includes('\0')) throw invalid(`--device: ${dst} cannot be a device's path in the container`);
  return { src, dst: path.posix.normalize(dst), access };
}

/** `--device-cgroup-rule 'c 1:3 mr'` (Docker's): type a, b or c, numbers or '*', access of r, w, m. */
export function deviceCgroupRule(v: string): DeviceRule {
  const m = typeof v === 'string' ? /^([abc]) (\d{1,7}|\*):(\d{1,7}|\*) ([rwm]{1,3})$/.exec(v.trim()) : null;
  if (!m || new Set(m[4]).size !== m[4].length) throw invalid(`invalid device cgroup format '${String(v).slice(0, 60)}'`);
  const num = (s: string, max: number) => {
    if (s === '*') return -1;
    const n = Number(s);
    if (n > max) throw invalid(`invalid device cgroup format '${v}': ${n} is out of range`);
    return n;
  };
  if (m[1] === 'a') return { allow: true, type: 'a', access: m[4] };
  return { allow: true, type: m[1], major: num(m[2], 4095), minor: num(m[3], 1048575), access: m[4] };
}

/** The host's node (its link followed, as Docker does) as a spec device and a cgroup rule. */
export function deviceFromFlag(v: string): { device: LinuxDevice; rule: DeviceRule } {
  const { src, dst, access } = parseDeviceFlag(v);
  let st: fs.Stats;
  try { st = fs.statSync(src); } catch (e) {
    throw invalid(`error gathering device information while adding custom device "${src}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw invalid(`error gathering device information while adding custom device "${src}": not a device node`);
  const type = st.isCharacterDevice() ? 'c' : 'b';
  const major = devMajor(st.rdev);
  const minor = devMinor(st.rdev);
  return {
    device: { path: dst, type, major, minor, fileMode: st.mode & 0o777, uid: 0, gid: 0 },
    rule: { allow: true, type, major, minor, access },
  };
}
