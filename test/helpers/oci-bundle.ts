// An OCI bundle for the runtime tests: `runc spec`'s defaults (defaultSpec)
// on a rootfs the test made, in a cgroup of its own under the test's parent,
// changed by `mut`, written as DIR/bundle-NAME/config.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSpec, type Spec } from '../../helper/runtime/spec';

export interface BundlePlace { dir: string; rootfs: string; parent: string }

/** The bundle's directory; `args` (default `sleep 1000`) before `mut`. */
export function writeBundle(at: BundlePlace, name: string, mut: (s: Spec) => void = () => undefined, args: string[] | undefined = ['sleep', '1000']): string {
  const b = path.join(at.dir, `bundle-${name}`);
  fs.mkdirSync(b, { recursive: true });
  const s = defaultSpec();
  s.root = { path: at.rootfs, readonly: false };
  s.linux!.cgroupsPath = `/${at.parent}/${name}`;
  if (args) s.process.args = args;
  mut(s);
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(s));
  return b;
}
