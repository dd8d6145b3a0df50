// Docker's certs.d convention (/etc/docker/certs.d/HOST[:PORT]/): every
// `*.crt` is a CA to trust for that registry, besides the system's; a
// `NAME.cert` with its `NAME.key` is a client certificate to present.
import { X509Certificate, createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';

export interface HostCerts { ca?: Buffer[]; cert?: Buffer; key?: Buffer }

/** The TLS material for `host` under `certsDir`; nothing when its directory does not exist. */
export function readHostCerts(certsDir: string, host: string): HostCerts {
  const dir = path.join(certsDir, host);
  let names: string[];
  try { names = fs.readdirSync(dir).sort(); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${dir}: cannot read the registry's certificates: ${(e as Error).message}`);
  }
  const read = (name: string) => {
    try { return fs.readFileSync(path.join(dir, name)); } catch (e) { throw new Error(`${path.join(dir, name)}: ${(e as Error).message}`); }
  };
  // checked here, so a bad file is named now and not a TLS error at the first pull
  const parsed = (name: string, check: (b: Buffer) => unknown, what: string) => {
    const b = read(name);
    try { check(b); } catch (e) { throw new Error(`${path.join(dir, name)}: not ${what}: ${(e as Error).message}`); }
    return b;
  };
  const cert = (n: string) => parsed(n, (b) => new X509Certificate(b), 'a PEM certificate');
  const out: HostCerts = {};
  const cas = names.filter((n) => n.endsWith('.crt')).map(cert);
  // node's `ca` replaces its built-in roots: they go in too, or public CAs stop working
  if (cas.length) out.ca = [...tls.rootCertificates.map((pem) => Buffer.from(pem)), ...cas];
  for (const n of names) {
    if (n.endsWith('.cert') && !names.includes(n.replace(/\.cert$/, '.key'))) throw new Error(`${path.join(dir, n)}: a client certificate without its key (${n.replace(/\.cert$/, '.key')})`);
    if (n.endsWith('.key') && !names.includes(n.replace(/\.key$/, '.cert'))) throw new Error(`${path.join(dir, n)}: a client key without its certificate (${n.replace(/\.key$/, '.cert')})`);
  }
  // Docker offers every pair; node's tls takes one: the first by name
  const first = names.find((n) => n.endsWith('.cert'));
  if (first) {
    out.cert = cert(first);
    out.key = parsed(first.replace(/\.cert$/, '.key'), (b) => createPrivateKey(b), 'a PEM private key');
  }
  return out;
}
