// The credentials a private test registry is set up with, all made on the
// spot by the standard tools: a CA and a server certificate for 127.0.0.1
// and localhost (openssl), a bcrypt password file (htpasswd -B, the only
// hash distribution's htpasswd backend accepts), and the token server's
// RSA signing key with its self-signed certificate (the registry's
// rootcertbundle).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ServerCerts { caFile: string; certFile: string; keyFile: string }

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
// a random serial: certificates made by different runs never look like one
const serial = () => `0x${Buffer.from(Array.from({ length: 8 }, () => Math.floor(Math.random() * 256))).toString('hex')}`;

/** A CA and a server certificate it signed (SAN IP:127.0.0.1, DNS:localhost), valid two days, in `dir`. */
export function makeServerCerts(dir: string): ServerCerts {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  // EC P-256: quicker to make than RSA, and Go's TLS and Node's both take it
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-set_serial', serial(),
    '-subj', '/CN=nscope test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-set_serial', serial(),
    '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext')]);
  return { caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key') };
}

/** An htpasswd file with one user, bcrypt-hashed. */
export function makeHtpasswd(file: string, user: string, password: string): void {
  fs.writeFileSync(file, execFileSync('htpasswd', ['-Bbn', user, password]));
}

export interface SigningKey { keyPem: string; certFile: string; certDer: Buffer; spkiDer: Buffer }

/** The token server's RS256 key and a self-signed certificate of it (what the registry trusts). */
export function makeSigningKey(dir: string): SigningKey {
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = path.join(dir, 'token.key');
  fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
  const certFile = path.join(dir, 'token.crt');
  openssl(['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '2', '-set_serial', serial(), '-subj', '/CN=nscope test token issuer']);
  const certDer = execFileSync('openssl', ['x509', '-in', certFile, '-outform', 'DER']);
  return { keyPem, certFile, certDer, spkiDer: publicKey.export({ type: 'spki', format: 'der' }) };
}
