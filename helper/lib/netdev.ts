// A host network interface as text for an editor: /sys/class/net/NAME is a
// directory of one-value attribute files (and links), not one file, so what
// is shown is those values the way `grep . /sys/class/net/NAME/{…}` prints
// them, plus where it hangs (its bridge) and, for a bridge, its ports.
import * as fs from 'fs';

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no slash, not "." or ".." */
export const IFNAME = /^(?!\.\.?$)[A-Za-z0-9_.:@-]{1,15}$/;

const ATTRS = ['ifindex', 'iflink', 'address', 'mtu', 'operstate', 'carrier', 'type', 'tx_queue_len'];
const STATS = ['rx_bytes', 'rx_packets', 'tx_bytes', 'tx_packets', 'rx_dropped', 'tx_dropped'];

function value(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8').trim(); } catch { return undefined; } // e.g. carrier of a down link: EINVAL
}

/** The text for /sys/class/net/NAME; throws ENOENT when there is no such interface. */
export function netdevListing(name: string): string {
  const dir = `/sys/class/net/${name}`;
  const real = fs.realpathSync(dir);
  const out = [`$ grep . ${dir}/{${ATTRS.join(',')}}`, `(${dir} -> ${real})`];
  for (const a of ATTRS) { const v = value(`${dir}/${a}`); if (v !== undefined) out.push(`${dir}/${a}:${v}`); }
  let master: string | undefined;
  try { master = fs.readlinkSync(`${dir}/master`).split('/').pop(); } catch { /* not enslaved */ }
  if (master) out.push('', `$ readlink ${dir}/master`, `…/${master}  (the bridge it is a port of)`);
  if (fs.existsSync(`${dir}/bridge`)) {
    let ports: string[] = [];
    try { ports = fs.readdirSync(`${dir}/brif`).sort(); } catch { /* none */ }
    out.push('', `$ ls ${dir}/brif`, ports.length ? ports.join('  ') : '(no ports)');
  }
  out.push('', `$ grep . ${dir}/statistics/{${STATS.join(',')}}`);
  for (const s of STATS) { const v = value(`${dir}/statistics/${s}`); if (v !== undefined) out.push(`${dir}/statistics/${s}:${v}`); }
  return out.join('\n') + '\n';
}
