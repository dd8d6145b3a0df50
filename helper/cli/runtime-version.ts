// `nscope-runtime --version` in runc's three lines. containerd's go-runc
// splits them ("X version V", "commit: C", "spec: S"; older versions insist on
// exactly three lines), Podman prints them: no more lines than runc's first three.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../native';
import { OCI_VERSION } from '../runtime/oci-features';

function commit(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versionText(): string {
  let version = 'unknown';
  let root = '';
  try {
    root = packageRoot();
    version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version ?? version;
  } catch { /* a copy without its package.json */ }
  return `nscope-runtime version ${version}\ncommit: ${root ? commit(root) : 'unknown'}\nspec: ${OCI_VERSION}\n`;
}
