// A container's mounts from its run options and its image: the -v, --mount
// and --tmpfs requests, --volumes-from's, an anonymous volume for each VOLUME of the image no
// request covers, and lxcfs's files. planMounts() decides (and checks) it
// all without touching the disk; prepareVolumes() then makes the volumes
// and fills the empty ones with the image's content (copy-data.ts).
import * as fs from 'fs';
import * as path from 'path';
import { invalid } from '../errors';
import type { IdMap } from '../lib/idmap';
import type { MountInfo } from '../protocol/types/volumes';
import type { Mount } from '../runtime/spec';
import { checkBindPropagation } from './bind-propagation';
import { copyImageData, giveToMappedRoot, isEmptyDir } from './copy-data';
import { checkDriverOptions, type LocalDriverOptions } from './driver-options';
import { lxcfsMounts } from './lxcfs';
import { checkTarget, parseMountRequests, type MountRequest } from './mount-options';
import { anonymousVolumeName } from './names';
import type { VolumeStore } from './store';

/** One volume a container mounts, as its record keeps it; `options`: the local driver's, for one this container makes (--mount volume-opt) */
export interface VolumeUse { name: string; target: string; anonymous: boolean; noCopy: boolean; labels?: Record<string, string>; options?: LocalDriverOptions }

export interface PlannedMounts {
  /** for the OCI spec, parents before children */
  specMounts: Mount[];
  /** what inspect shows */
  infos: MountInfo[];
  volumes: VolumeUse[];
  /** `-v` binds whose host path is not there: made by prepareVolumes (Docker's -v makes them; --mount refuses) */
  bindSourcesToMake?: string[];
}

export interface MountInputs {
  volumes?: string[]; mounts?: string[]; tmpfs?: string[]; lxcfs?: boolean;
  /** the image config's Volumes ({"/data": {}}) */
  imageVolumes?: Record<string, unknown>;
  /** where lxcfs is mounted, when --lxcfs (or the helper's default) asks for it */
  lxcfsDir?: string;
  /** --volumes-from: another container's volumes and binds (./volumes-from.ts), under the requests, over the image's VOLUMEs */
  inherited?: MountRequest[];
}

/** Shallow targets first: a mount inside another volume goes on top of it, not under it. */
const depth = (p: string) => p.split('/').length;

export function planMounts(store: VolumeStore, inp: MountInputs): PlannedMounts {
  const reqs = parseMountRequests(inp);
  const covered = new Set(reqs.map((r) => r.target));
  for (const r of inp.inherited ?? []) {
    if (covered.has(r.target)) continue;
    covered.add(r.target);
    reqs.push(r);
  }
  const imageVolumes = inp.imageVolumes && typeof inp.imageVolumes === 'object' ? Object.keys(inp.imageVolumes) : [];
  if (imageVolumes.length > 256) throw invalid(`the image declares too many volumes (${imageVolumes.length})`);
  for (const v of imageVolumes) {
    const target = checkTarget('image VOLUME', v, 'volume');
    if (covered.has(target)) continue;
    covered.add(target);
    reqs.push({ type: 'volume', target, readOnly: false, noCopy: false, flag: 'VOLUME' });
  }
  reqs.sort((a, b) => depth(a.target) - depth(b.target));
  const out: PlannedMounts = { specMounts: [], infos: [], volumes: [] };
  for (const r of reqs) addRequest(store, r, out);
  if (inp.lxcfs) {
    const lx = lxcfsMounts(inp.lxcfsDir!);
    out.specMounts.push(...lx);
    for (const m of lx) out.infos.push({ type: 'bind', source: m.source, destination: m.destination, readOnly: true });
  }
  return out;
}

function addRequest(store: VolumeStore, r: MountRequest, out: PlannedMounts): void {
  const rw = r.readOnly ? 'ro' : 'rw';
  if (r.type === 'bind') {
    if (!fs.existsSync(r.source!)) {
      if (r.flag !== '-v') throw invalid(`${r.flag}: invalid mount config for type "bind": bind source path does not exist: ${r.source}`);
      (out.bindSourcesToMake ??= []).push(r.source!);
    }
    checkBindPropagation(r.source!, r.propagation);
    out.specMounts.push({ destination: r.target, type: 'bind', source: r.source, options: [r.nonRecursive ? 'bind' : 'rbind', rw, r.propagation ?? 'rprivate'] });
    out.infos.push({ type: 'bind', source: r.source, destination: r.target, readOnly: r.readOnly });
  } else if (r.type === 'tmpfs') {
    out.specMounts.push({ destination: r.target, type: 'tmpfs', source: 'tmpfs', options: r.tmpfsOptions ?? ['nosuid', 'nodev', 'noexec'] });
    out.infos.push({ type: 'tmpfs', destination: r.target, readOnly: r.readOnly });
  } else {
    const anonymous = r.source === undefined;
    const name = r.source ?? anonymousVolumeName();
    const data = store.dataDir(name);
    // checked here, before anything is made; the store checks them again against an existing volume's
    const options = checkDriverOptions(r.driverOptions, `${r.flag} volume-opt`);
    out.specMounts.push({ destination: r.target, type: 'bind', source: data, options: ['rbind', rw, 'rprivate'] });
    out.infos.push({ type: 'volume', name, source: data, destination: r.target, readOnly: r.readOnly });
    out.volumes.push({ name, target: r.target, anonymous, noCopy: r.noCopy, ...(r.labels ? { labels: r.labels } : {}), ...(options ? { options } : {}) });
  }
}

export interface PrepareInputs {
  /** the image's layer directories, bottom to top */
  layers: string[];
  /** a private scratch directory (the container's run dir) */
  scratch: string;
  /** --userns=auto: a fresh volume is given to the container's ids */
  idMap?: IdMap;
  /** is the volume mounted by a running container other than this one? (then it is never written to here) */
  busy: (name: string) => boolean;
  /** the container's id: a volume that is a mount (driver options) is mounted for it (store.acquire) */
  holder: string;
  /** PlannedMounts.bindSourcesToMake: directories made (0755, root's) before the volumes, kept whatever follows, as Docker keeps them */
  bindSources?: string[];
}

/**
 * Makes the volumes that do not exist yet, mounts those that are mounts, and
 * copies the image's content into the empty ones (a tmpfs volume's copy lasts
 * while some container holds it). Returns the names it made, for the caller
 * to remove if the create fails after all; on a failure here, what it made
 * and mounted is undone.
 */
export async function prepareVolumes(store: VolumeStore, vols: VolumeUse[], inp: PrepareInputs): Promise<string[]> {
  const made: string[] = [];
  for (const dir of inp.bindSources ?? []) {
    try { fs.mkdirSync(dir, { recursive: true, mode: 0o755 }); } catch (e) {
      throw invalid(`-v: error while creating mount source path '${dir}': ${(e as Error).message}`);
    }
  }
  try {
    for (const [i, v] of vols.entries()) {
      const { created } = store.create(v.name, v.labels ?? {}, v.anonymous, v.options);
      if (created) made.push(v.name);
      store.acquire(v.name, inp.holder);
      const data = store.dataDir(v.name);
      // an existing volume of another user namespace keeps its owners: the ids are the host's, as with Docker's userns-remap
      if (!created && inp.idMap && !isEmptyDir(data)) continue;
      const copy = !v.noCopy && isEmptyDir(data) && !inp.busy(v.name);
      const copied = copy && await copyImageData(inp.layers, v.target, data, path.join(inp.scratch, `copydata-${i}`), inp.idMap);
      // a mount's root is its file system's (a bind's is a host directory): never given away here
      if (!copied && created && inp.idMap && !v.options) giveToMappedRoot(data, inp.idMap);
    }
  } catch (e) {
    store.release(inp.holder);
    for (const n of made) {
      try { store.destroy(n); } catch (err) { process.stderr.write(`nscope: warning: ${(err as Error).message}\n`); }
    }
    throw e;
  }
  return made;
}
