// OCI bundles for runc and crun: the rootfs is a copy of the nscope image's
// layer directories; config.json is what `runc spec` writes (or `crun spec`
// when runc is absent; neither has a seccomp filter), with args ["/bin/true"],
// no terminal, and a cgroupsPath that changes for every run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The binary's version line, or null when it is not installed. */
export function toolVersion(bin: string): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim();
}

/** `runc spec` / `crun spec` in a scratch directory; the parsed config.json. */
export function generatedSpec(bin: string, scratch: string): Record<string, any> {
  fs.mkdirSync(scratch, { recursive: true });
  const file = path.join(scratch, 'config.json');
  fs.rmSync(file, { force: true });
  const r = spawnSync(bin, ['spec'], { cwd: scratch, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${bin} spec failed: ${r.error?.message ?? r.stderr}`);
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  return spec;
}

/** Copies image layers (bottom to top) into `dest`, symlinks verbatim. */
export function copyLayers(layerDirs: string[], dest: string): void {
  fs.mkdirSync(dest, { recursive: true, mode: 0o755 });
  for (const dir of layerDirs) {
    fs.cpSync(dir, dest, { recursive: true, verbatimSymlinks: true, force: true, preserveTimestamps: true });
  }
}

export interface Bundle { dir: string; base: Record<string, any> }

/**
 * A bundle directory whose config points at the shared rootfs (absolute path);
 * `linux` is merged into the spec's `linux` (e.g. a `seccomp` filter, which
 * neither `runc spec` nor `crun spec` writes).
 */
export function makeBundle(dir: string, baseSpec: Record<string, any>, rootfs: string, args: string[], linux: Record<string, unknown> = {}): Bundle {
  fs.mkdirSync(dir, { recursive: true });
  const spec = JSON.parse(JSON.stringify(baseSpec));
  spec.process.args = args;
  spec.process.terminal = false;
  spec.root = { ...spec.root, path: rootfs };
  spec.linux = { ...spec.linux, ...JSON.parse(JSON.stringify(linux)) };
  return { dir, base: spec };
}

/** Writes config.json for one run (not timed): its own cgroupsPath. */
export function writeRunConfig(b: Bundle, cgroupsPath: string): void {
  const spec = { ...b.base, linux: { ...b.base.linux, cgroupsPath } };
  fs.writeFileSync(path.join(b.dir, 'config.json'), JSON.stringify(spec, null, 2));
}
