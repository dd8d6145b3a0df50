// A token server of our own for the 'token' registry mode, after Docker's
// token authentication spec: the registry answers 401 with
// `WWW-Authenticate: Bearer realm=…,service=…,scope=…`, the client asks
//   GET REALM?service=S&scope=repository:NAME:pull,push[&scope=…]
// (with basic auth, or none for anonymous) and gets {token, access_token,
// expires_in, issued_at}: a JWT signed RS256 whose `access` claim lists what
// was granted. Anonymous gets pull on the repositories the test made public;
// the test user gets pull and push everywhere; a wrong password is a 401.
//
// How distribution 2.8 finds the key (registry/auth/token/token.go,
// VerifySigningKey): from the header's `x5c` (a chain it verifies against
// the rootcertbundle), a raw `jwk`, or `kid` looked up among the bundle's
// certificates' keys by their libtrust key ID. Both `kid` (default) and
// `x5c` are offered here and both are checked against the real registry by
// test/integration/registry-infra.test.ts.
import { createHash, createSign, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigningKey } from './registry-certs';

export type KeyHeader = 'kid' | 'x5c';

export interface TokenServerOptions {
  key: SigningKey;
  issuer: string;
  service: string;
  user?: string;
  password?: string;
  /** repositories anonymous clients may pull */
  publicRepos?: string[];
  keyHeader?: KeyHeader;
  /** the tokens' lifetime (300 s unless given; short ones make expiry tests possible) */
  ttlSeconds?: number;
}

/** One request the token server answered: what was asked, by whom, what was granted. */
export interface TokenRequest { scopes: string[]; account?: string; status: number; granted: Access[] }

export interface Access { type: string; name: string; actions: string[] }

export interface TokenServer {
  /** the realm the registry names: http://127.0.0.1:PORT/token */
  realm: string;
  requests: TokenRequest[];
  /** makes a repository pullable without credentials from now on */
  makePublic(repo: string): void;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * libtrust's key ID, the `kid` distribution matches: the SHA-256 of the
 * DER public key (SubjectPublicKeyInfo), its first 30 bytes in base32
 * without padding, in groups of four joined by ':'.
 */
export function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let acc = 0;
  let s = '';
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) { s += alphabet[(acc >> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits) s += alphabet[(acc << (5 - bits)) & 31];
  return s.match(/.{1,4}/g)!.join(':');
}

/** A signed JWT granting `access` to `subject` for `service`. */
export function signToken(o: { key: SigningKey; keyHeader: KeyHeader; issuer: string; service: string; subject: string; access: Access[]; ttlSeconds: number }): string {
  const header = o.keyHeader === 'x5c'
    ? { typ: 'JWT', alg: 'RS256', x5c: [o.key.certDer.toString('base64')] }
    : { typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(o.key.spkiDer) };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: o.issuer, sub: o.subject,
    // a string: 2.8's ClaimSet.Audience is one
    aud: o.service,
    // nbf a little in the past: the registry allows clock skew, but a token must not be "not yet valid" on arrival
    exp: now + o.ttlSeconds, nbf: now - 10, iat: now, jti: randomBytes(12).toString('hex'),
    access: o.access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(o.key.keyPem);
  return `${input}.${b64url(sig)}`;
}

function parseBasic(h: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(h ?? '');
  if (!m) return undefined;
  const s = Buffer.from(m[1], 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? undefined : { user: s.slice(0, i), password: s.slice(i + 1) };
}

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const publicRepos = new Set(o.publicRepos ?? []);
  const requests: TokenRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const reply = (status: number, body: unknown, granted: Access[] = [], account?: string) => {
      requests.push({ scopes, account, status, granted });
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Basic realm="nscope test token server"' } : {}) });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/token') return reply(404, { errors: [{ code: 'NOT_FOUND' }] });
    if (url.searchParams.get('service') !== o.service) return reply(400, { errors: [{ code: 'UNSUPPORTED', message: `unknown service ${url.searchParams.get('service')}` }] });
    const creds = parseBasic(req.headers.authorization);
    let account: string | undefined;
    if (creds) {
      if (!o.user || creds.user !== o.user || creds.password !== o.password) return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'wrong user name or password' }] }, [], creds.user);
      account = creds.user;
    }
    // A scope is type:name:actions; the name may hold ':' (a port in a registry-qualified name is not part of it, but be lenient)
    const granted: Access[] = [];
    for (const scope of scopes) {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      const type = scope.slice(0, first);
      const name = scope.slice(first + 1, last);
      const asked = scope.slice(last + 1).split(',').filter(Boolean);
      if (type !== 'repository') continue;
      const allowed = account ? ['pull', 'push', 'delete'] : publicRepos.has(name) ? ['pull'] : [];
      const actions = asked.flatMap((a) => (a === '*' ? allowed : allowed.includes(a) ? [a] : []));
      if (actions.length) granted.push({ type, name, actions: [...new Set(actions)] });
    }
    const ttl = o.ttlSeconds ?? 300;
    const token = signToken({ key: o.key, keyHeader: o.keyHeader ?? 'kid', issuer: o.issuer, service: o.service, subject: account ?? '', access: granted, ttlSeconds: ttl });
    reply(200, { token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() }, granted, account);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    makePublic: (repo) => { publicRepos.add(repo); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
