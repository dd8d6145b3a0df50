// Registry authentication as the distribution spec and Docker's token spec
// have it: a request without credentials is answered 401 with a
// WWW-Authenticate challenge; "Basic" wants the user and password on every
// request, "Bearer" names a token service (realm, service) from which a token
// for the request's scopes ("repository:team/app:pull,push") is fetched —
// anonymously, with basic credentials, or (an identity token from an earlier
// login) with an OAuth2 refresh-token grant. Tokens are cached per scope set
// until they expire. Credentials never appear in errors or logs.
import { NscopeError } from '../errors';
import type { RegistryAuth } from '../protocol/types/registry';
import { errorText, oneLine, readBody, send, type AgentPool } from './http';
import type { Endpoint } from './settings';

export interface Challenge { scheme: string; params: Record<string, string> }

/** Parses a WWW-Authenticate header: one or more `Scheme k="v", k2=v2` challenges. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const s = header;
  let i = 0;
  const ws = () => { while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++; };
  const token = () => { const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(s.slice(i)); if (!m) return ''; i += m[0].length; return m[0]; };
  while (i < s.length) {
    ws();
    const scheme = token();
    if (!scheme) break;
    const params: Record<string, string> = {};
    for (;;) {
      const save = i;
      ws();
      const key = token();
      if (!key || s[i] !== '=') { i = save; break; }
      i++;
      let val = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') { if (s[i] === '\\' && i + 1 < s.length) i++; val += s[i++]; }
        i++;
      } else {
        // unquoted: lenient up to the next comma or blank (a bare URL is not an RFC token, but servers send them)
        const m = /^[^,\s]*/.exec(s.slice(i))!;
        val = m[0];
        i += val.length;
      }
      params[key.toLowerCase()] = val;
      ws();
      // the next thing is either another parameter or the next challenge's scheme (a token not followed by '=')
      const peek = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=/.test(s.slice(i));
      if (!peek) break;
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}

const basic = (a: RegistryAuth) => `Basic ${Buffer.from(`${a.username ?? ''}:${a.password ?? ''}`).toString('base64')}`;
const hasPassword = (a: RegistryAuth | undefined): a is RegistryAuth => !!a && typeof a.username === 'string' && a.username !== '' && typeof a.password === 'string';

export function unauthorized(registry: string, why: string): NscopeError {
  return new NscopeError('unauthorized', `unauthorized: ${registry}: ${oneLine(why)}`);
}

interface TokenAnswer { header: string; refreshToken?: string }

export class Authorizer {
  private readonly cache = new Map<string, { header: string; until: number }>();
  private challenge?: Challenge;
  /** the refresh token a login obtained (offline_token) */
  refreshToken?: string;

  constructor(private readonly registry: string, private readonly auth: RegistryAuth | undefined, private readonly endpoint: Endpoint, private readonly pool?: AgentPool) {}

  /** The Authorization header to send for `scopes`, if one is known already. */
  header(scopes: string[]): string | undefined {
    if (this.auth?.registrytoken) return `Bearer ${this.auth.registrytoken}`;
    if (this.challenge?.scheme === 'basic' && hasPassword(this.auth)) return basic(this.auth);
    const c = this.cache.get(scopes.join(' '));
    return c && c.until > Date.now() ? c.header : undefined;
  }

  /** After a 401: answers its challenge for `scopes` and returns the header to retry with. */
  async answer(wwwAuthenticate: string | undefined, scopes: string[], signal?: AbortSignal, offline = false): Promise<string> {
    const all = parseChallenges(wwwAuthenticate ?? '');
    const ch = all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
    if (!ch) throw unauthorized(this.registry, 'authentication required (no usable WWW-Authenticate challenge)');
    this.challenge = ch;
    if (ch.scheme === 'basic') {
      if (!hasPassword(this.auth)) throw unauthorized(this.registry, 'authentication required');
      return basic(this.auth);
    }
    const t = await this.fetchToken(ch, scopes, signal, offline);
    this.cache.set(scopes.join(' '), { header: t.header, until: Date.now() + 50_000 });
    if (t.refreshToken) this.refreshToken = t.refreshToken;
    return t.header;
  }

  private async fetchToken(ch: Challenge, scopes: string[], signal: AbortSignal | undefined, offline: boolean): Promise<TokenAnswer> {
    let realm: URL;
    try { realm = new URL(ch.params.realm ?? ''); } catch { throw unauthorized(this.registry, `the token realm "${oneLine(ch.params.realm ?? '')}" is not a URL`); }
    const ep = new URL(this.endpoint.url);
    // the same machine (another port: a token service beside the registry) is trusted as the registry is
    const own = realm.hostname === ep.hostname;
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (own || ep.protocol === 'http:'))) {
      throw unauthorized(this.registry, `refusing the token realm ${realm.origin}: credentials go to another host over https only`);
    }
    const tls = own ? this.endpoint.tls : { verify: true };
    const q = new URLSearchParams();
    if (ch.params.service) q.set('service', ch.params.service);
    for (const s of scopes) q.append('scope', s);
    let res;
    const a = this.auth;
    if (a?.identitytoken) {
      q.set('grant_type', 'refresh_token');
      q.set('refresh_token', a.identitytoken);
      q.set('client_id', 'nscope');
      res = await send({ method: 'POST', url: realm.toString(), signal, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(q.toString()) }, tls, this.pool);
    } else {
      for (const [k, v] of new URLSearchParams(realm.search)) if (!q.has(k)) q.set(k, v);
      if (offline) { q.set('offline_token', 'true'); q.set('client_id', 'nscope'); }
      const url = new URL(realm.toString());
      url.search = q.toString();
      res = await send({ method: 'GET', url: url.toString(), signal, headers: hasPassword(a) ? { Authorization: basic(a) } : {} }, tls, this.pool);
    }
    if (res.status === 401 || res.status === 403) {
      const e = await errorText(res);
      throw unauthorized(this.registry, hasPassword(a) || this.auth?.identitytoken ? 'incorrect username or password' : e.message || 'authentication required');
    }
    if (res.status !== 200) throw new NscopeError('failed', `${this.registry}: token service ${realm.host} answered ${(await errorText(res)).message}`);
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    try { doc = JSON.parse((await readBody(res, 1 << 20, 'token')).toString('utf8')); } catch { throw new NscopeError('failed', `${this.registry}: token service ${realm.host} answered something that is not JSON`); }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token || /[\s\0]/.test(token)) throw new NscopeError('failed', `${this.registry}: token service ${realm.host} gave no token`);
    return { header: `Bearer ${token}`, refreshToken: typeof doc.refresh_token === 'string' ? doc.refresh_token : undefined };
  }
}
