// `nscope import FILE|- [REPOSITORY[:TAG]]`, Docker's `import`: a filesystem
// tarball (what `nscope export` or `docker export` writes, or any root
// filesystem as a tar, plain, gzip or zstd) made an image of one layer. Its
// config starts empty and takes `--change` instructions as `commit` does; its
// platform is the host's or `--platform`'s. The tar is unpacked by the same
// unpacker, with the same defences, as a pulled layer.
import { invalid } from '../errors';
import type { OciContainerConfig, OciHistory, Platform } from '../images/oci';
import type { ImageStore, ImageSummary } from '../images/store';
import { normalizeName } from '../images/names';
import { parsePlatform } from '../registry/manifest';
import { applyChanges } from './commit-change';

export interface RootfsImportOptions {
  /** REPOSITORY[:TAG]; none: an unnamed image */
  name?: string;
  /** Dockerfile instructions as `commit --change` takes them */
  changes?: string[];
  /** the history entry's comment (Docker's -m); "Imported from -" otherwise */
  message?: string;
  /** os/arch[/variant] recorded in the config (the host's by default) */
  platform?: string;
}

const MAX_MESSAGE = 64 * 1024;

/** The options checked: the name normalized away from '', the config the changes make, the platform parsed. */
export interface CheckedRootfsImport { name?: string; message?: string; config: OciContainerConfig; platform: Platform }

/**
 * Checks the options before a byte is received: a bad name or change is the
 * caller's mistake, named at once, not after a gigabyte of upload.
 */
export function checkRootfsImport(o: unknown): CheckedRootfsImport {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw invalid('import: options must be an object');
  const { name, changes, message, platform } = o as RootfsImportOptions;
  if (name !== undefined && typeof name !== 'string') throw invalid('import: name must be a string');
  if (name) normalizeName(name, 'import');
  if (message !== undefined && (typeof message !== 'string' || message.length > MAX_MESSAGE)) throw invalid(`import: message must be a string of at most ${MAX_MESSAGE} characters`);
  if (platform !== undefined && typeof platform !== 'string') throw invalid('import: platform must be a string');
  return { name: name || undefined, message, platform: parsePlatform(platform), config: applyChanges({}, changes ?? [], 'import') };
}

/** Makes the image from `file` (the uploaded tar, handed over: the store keeps or deletes it). */
export async function importRootfs(images: ImageStore, file: string, o: CheckedRootfsImport): Promise<ImageSummary> {
  const created = new Date().toISOString();
  const { os, architecture, variant } = o.platform;
  const history: OciHistory[] = [{ created, created_by: '', comment: o.message || 'Imported from -' }];
  return images.addImage(o.name, { created, os, architecture, ...(variant ? { variant } : {}), config: o.config, history }, [file], { moveLayers: true });
}
