// skopeo against a test's private registry: pushes the image-layout
// fixtures in (the reference client puts them there, so a test of nscope's
// pull starts from what real tools write) and reads back what nscope pushed.
// The auth flags follow the registry's mode: its CA dir for TLS (verified,
// never skipped), its user for basic and token auth, or anonymous.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { runCommand } from './command';
import type { ImageLayout } from './image-layout';
import type { TestRegistry } from './registry';

export interface SkopeoAccess {
  /** no credentials even where the registry has a user */
  anonymous?: boolean;
  /** other credentials than the registry's user ("user:password") */
  creds?: string;
}

/** skopeo's flags to reach `reg`; `prefix` is 'src-', 'dest-' or '' (inspect). */
export function skopeoAuthArgs(reg: TestRegistry, prefix: '' | 'src-' | 'dest-', a: SkopeoAccess = {}): string[] {
  const args = reg.certsDir
    ? [`--${prefix}cert-dir`, path.join(reg.certsDir, reg.host)]
    : [`--${prefix}tls-verify=false`];
  if (a.creds) args.push(`--${prefix}creds`, a.creds);
  else if (reg.user && !a.anonymous) args.push(`--${prefix}creds`, `${reg.user}:${reg.password}`);
  // without it skopeo may use an auth file of the host's for this host:port
  else args.push(`--${prefix}no-creds`);
  return args;
}

async function skopeo(args: string[], timeoutMs = 120000): Promise<string> {
  // --insecure-policy: the fixtures are the test's own; the host's policy.json is not consulted
  const r = await runCommand('skopeo', ['--insecure-policy', ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`skopeo ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Pushes an image layout into `reg` as REPO:TAG (all platforms of an index),
 * digests preserved; returns the reference `127.0.0.1:PORT/REPO:TAG`.
 */
export async function pushLayout(reg: TestRegistry, layout: ImageLayout, repo: string, tag = layout.tag, a: SkopeoAccess = {}): Promise<string> {
  const ref = `${reg.host}/${repo}:${tag}`;
  await skopeo(['copy', '--all', '--preserve-digests', ...skopeoAuthArgs(reg, 'dest-', a), layout.ociRef, `docker://${ref}`]);
  return ref;
}

/** Copies REF from `reg` into an OCI layout dir (`oci:DIR:TAG`), all platforms. */
export async function pullToLayout(reg: TestRegistry, ref: string, dir: string, tag = 'latest', a: SkopeoAccess = {}): Promise<void> {
  await skopeo(['copy', '--all', '--preserve-digests', ...skopeoAuthArgs(reg, 'src-', a), `docker://${ref}`, `oci:${dir}:${tag}`]);
}

export interface SkopeoInspection {
  /** the manifest (or index) exactly as the registry serves it */
  raw: string;
  manifest: { mediaType?: string; schemaVersion: number; [k: string]: unknown };
  /** sha256 of `raw`: the digest of REF */
  digest: string;
  /** `skopeo inspect` (for an index: of the host platform's image); absent with `rawOnly` */
  inspect?: { Digest: string; Architecture?: string; Os?: string; Layers?: string[]; [k: string]: unknown };
}

/** `skopeo inspect --raw` (and plain `skopeo inspect` unless `rawOnly`) of REF in `reg`. */
export async function skopeoInspect(reg: TestRegistry, ref: string, o: SkopeoAccess & { rawOnly?: boolean } = {}): Promise<SkopeoInspection> {
  const auth = skopeoAuthArgs(reg, '', o);
  const raw = await skopeo(['inspect', '--raw', ...auth, `docker://${ref}`]);
  const out: SkopeoInspection = { raw, manifest: JSON.parse(raw), digest: `sha256:${createHash('sha256').update(raw).digest('hex')}` };
  if (!o.rawOnly) out.inspect = JSON.parse(await skopeo(['inspect', ...auth, `docker://${ref}`]));
  return out;
}
