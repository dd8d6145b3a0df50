// stream.open kinds "pull" and "push": the transfer runs while the client
// listens, its progress written as TransferLine JSON lines (Docker's
// /images/create style). Closing the connection cancels it; the last line is
// `done` or `error`. The helper reads no user's credentials: the client sends
// what it found in the user's files.
import type { Socket } from 'net';
import { describe, invalid, NscopeError } from '../../errors';
import type { TransferLine } from '../../protocol/types/registry';
import { platformParam } from '../../registry/manifest';
import { pullAllTags, pullImage } from '../../registry/pull';
import { localImage, planAllTags, pushAllTags, pushImage } from '../../registry/push';
import { parseRepositoryOnly } from '../../registry/reference';
import { finish } from './finish';
import type { OpenedStream, StreamParams, StreamServices } from './types';

function checkAuth(a: unknown): void {
  if (a === undefined) return;
  if (!a || typeof a !== 'object' || Array.isArray(a)) throw invalid('auth must be an object');
  for (const [k, v] of Object.entries(a)) {
    if (!['username', 'password', 'identitytoken', 'registrytoken'].includes(k)) throw invalid(`auth: unknown field "${k.slice(0, 40)}"`);
    if (typeof v !== 'string' || v.length > 16384) throw invalid(`auth.${k} must be a string of at most 16384 characters`);
  }
}

/** Runs `work` with a signal that fires when the client goes away, writing its lines to the socket. */
function transfer(work: (signal: AbortSignal, say: (l: TransferLine) => void) => Promise<TransferLine>): OpenedStream {
  return {
    result: { ok: true },
    pump: async (sock: Socket) => {
      const ac = new AbortController();
      const gone = () => ac.abort();
      sock.on('close', gone);
      sock.on('error', gone);
      sock.on('end', gone);
      sock.resume(); // the client sends nothing; its half-close means "cancel"
      const say = (l: TransferLine) => { if (!sock.destroyed && sock.writable) sock.write(`${JSON.stringify(l)}\n`); };
      let last: TransferLine;
      try {
        last = await work(ac.signal, say);
      } catch (e) {
        last = { kind: 'error', code: e instanceof NscopeError ? e.code : 'failed', message: ac.signal.aborted ? 'cancelled' : describe(e) };
      }
      say(last);
      sock.off('close', gone);
      finish(sock);
    },
  };
}

function checkFlag(v: unknown, what: string): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw invalid(`${what} must be a boolean`);
  return v === true;
}

export function openPullStream(p: StreamParams<'pull'>, s: StreamServices): OpenedStream {
  if (!s.images || !s.registry) throw invalid('stream.open: pull is not available here');
  if (typeof p.ref !== 'string') throw invalid('pull: ref must be a string');
  const platform = platformParam(p.platform, 'pull');
  checkAuth(p.auth);
  const { images, registry } = s;
  if (checkFlag(p.allTags, 'pull: allTags')) {
    // a tag or digest is refused before the stream opens, as the reference's syntax is
    parseRepositoryOnly(p.ref);
    return transfer(async (signal, say) => {
      const r = await pullAllTags(images, registry, p.ref, { platform, auth: p.auth, signal, progress: say });
      for (const t of r.pulled) if (!t.upToDate) s.emitImage?.('image.added', t.image.id, t.image.name);
      return { kind: 'done', ref: r.ref, digest: r.pulled[r.pulled.length - 1].digest, tags: r.pulled.map((t) => ({ ref: t.ref, digest: t.digest })) };
    });
  }
  return transfer(async (signal, say) => {
    const r = await pullImage(images, registry, p.ref, { platform, auth: p.auth, signal, progress: say });
    if (!r.upToDate) s.emitImage?.('image.added', r.image.id, r.image.name);
    return { kind: 'done', ref: r.ref, digest: r.digest, image: r.image };
  });
}

export function openPushStream(p: StreamParams<'push'>, s: StreamServices): OpenedStream {
  if (!s.images || !s.registry) throw invalid('stream.open: push is not available here');
  if (typeof p.ref !== 'string' || !p.ref) throw invalid('push: ref must be a non-empty string');
  if (p.dest !== undefined && typeof p.dest !== 'string') throw invalid('push: dest must be a string');
  const platform = platformParam(p.platform, 'push');
  checkAuth(p.auth);
  const { images, registry } = s;
  if (checkFlag(p.allTags, 'push: allTags')) {
    // the repository's local tags, and their platform, before the stream opens: refusals are the handshake's answer
    planAllTags(images, p.ref, p.dest, platform);
    return transfer(async (signal, say) => {
      const r = await pushAllTags(images, registry, p.ref, p.dest, { auth: p.auth, signal, progress: say, platform });
      return { kind: 'done', ref: r.ref, digest: r.pushed[r.pushed.length - 1].digest, tags: r.pushed };
    });
  }
  // the image must exist (and be of --platform) before the stream opens: "not found" is the handshake's answer, not a progress line
  localImage(images, p.ref, platform);
  return transfer(async (signal, say) => {
    const r = await pushImage(images, registry, p.ref, p.dest, { auth: p.auth, signal, progress: say, platform });
    return { kind: 'done', ref: r.ref, digest: r.digest };
  });
}
