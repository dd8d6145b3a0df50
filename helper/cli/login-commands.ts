// `nscope login` and `nscope logout`, as Docker's. The helper checks the
// credentials against the registry (`registry.login`); the CLI keeps them,
// as the user, where Docker and podman look (../registry/credentials.ts):
// the root helper never reads or writes a user's files.
import type { RegistryAuth } from '../protocol/types/registry';
import { credentialsFor, removeCredentials, saveCredentials } from '../registry/credentials';
import { DOCKER_HUB, normalizeRegistry } from '../registry/names';
import { bool, str, UsageError, type Parsed } from './args';
import type { Command, Ctx } from './command';
import { promptLine, readStdin } from './prompt';

function registryArg(p: Parsed, usage: string): string {
  if (p.positionals.length > 1) throw new UsageError(`takes at most one registry\nUsage: nscope ${usage}`);
  try { return normalizeRegistry(p.positionals[0] ?? DOCKER_HUB); } catch (e) { throw new UsageError((e as Error).message); }
}

/** An error from the helper or a registry, on one line, with the password masked should it be echoed. */
function oneLine(e: unknown, secrets: (string | undefined)[]): string {
  let msg = (e as Error).message ?? String(e);
  // (a secret of a few characters would also mask parts of words: "x" in "/nonexistent")
  for (const s of secrets) if (s && s.length >= 4) msg = msg.split(s).join('***');
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}

const LOGIN_USAGE = 'login [OPTIONS] [SERVER]';

export const LOGIN: Command = {
  summary: 'Log in to a registry (Docker Hub by default); the credentials are kept as Docker keeps them',
  group: 'Images',
  flags: [
    { name: 'username', short: 'u', takesValue: true, help: 'Username' },
    { name: 'password', short: 'p', takesValue: true, help: 'Password (insecure: it shows in the process list; use --password-stdin)' },
    { name: 'password-stdin', help: 'Take the password from stdin' },
  ],
  usage: LOGIN_USAGE,
  async run(p, ctx) {
    const server = registryArg(p, LOGIN_USAGE);
    let username = str(p, 'username');
    let password = str(p, 'password');
    const fromStdin = bool(p, 'password-stdin');
    if (password !== undefined) {
      if (fromStdin) throw new UsageError('--password and --password-stdin are mutually exclusive');
      process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (fromStdin) {
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = (await readStdin()).replace(/\r?\n$/, '');
      if (!password) throw new UsageError('--password-stdin: no password on stdin');
    }
    if (username === '') throw new UsageError('--username: empty');

    // nothing given: the stored credentials first, as Docker's login does
    let stored: RegistryAuth | undefined;
    if (username === undefined && password === undefined) {
      stored = await credentialsFor(server);
      if (stored) {
        process.stderr.write(`Authenticating with existing credentials for ${server}...\n`);
        const rc = await tryLogin(ctx, server, stored, stored.username, { stored: true });
        if (rc === 0 || !process.stdin.isTTY) return rc;
      }
    }
    if (username === undefined || password === undefined) {
      if (!process.stdin.isTTY) throw new Error('Cannot perform an interactive login from a non TTY device (use -u with --password-stdin)');
      if (username === undefined) {
        const before = stored?.username;
        username = (await promptLine(before ? `Username (${before}): ` : 'Username: ', { echo: true })).trim() || before;
        if (!username) throw new Error('a username is required');
      }
      if (password === undefined) {
        password = await promptLine('Password: ', { echo: false });
        if (!password) throw new Error('a password is required');
      }
    }
    return tryLogin(ctx, server, { username, password }, username);
  },
};

/**
 * Asks the helper to check `auth` against the registry; on success keeps what
 * to send next time. Stored credentials that still work stay where they are
 * (auth.json's are not copied into config.json), unless a new token came back.
 */
async function tryLogin(ctx: Ctx, server: string, auth: RegistryAuth, username: string | undefined, opts: { stored?: boolean } = {}): Promise<number> {
  const secrets = [auth.password, auth.identitytoken, auth.registrytoken];
  let r: { status: string; identitytoken?: string };
  try {
    r = await (await ctx.client()).request('registry.login', { server, auth });
  } catch (e) {
    process.stderr.write(`nscope: login to ${server} failed: ${oneLine(e, secrets)}\n`);
    return 1;
  }
  // a registry that gives an identity token wants it, not the password, from now on
  const keep: RegistryAuth = r.identitytoken ? { username, identitytoken: r.identitytoken } : auth;
  if (opts.stored && (!r.identitytoken || r.identitytoken === auth.identitytoken)) {
    process.stdout.write('Login Succeeded\n');
    return 0;
  }
  let where: string;
  try {
    ({ where } = await saveCredentials(server, keep));
  } catch (e) {
    process.stderr.write(`nscope: logged in to ${server}, but the credentials could not be stored: ${oneLine(e, [...secrets, r.identitytoken])}\n`);
    return 1;
  }
  if (where.startsWith('/')) process.stderr.write(`WARNING! Your credentials are stored unencrypted in '${where}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  process.stdout.write('Login Succeeded\n');
  return 0;
}

const LOGOUT_USAGE = 'logout [SERVER]';

export const LOGOUT: Command = {
  summary: 'Log out from a registry (Docker Hub by default): forget its credentials',
  group: 'Images',
  flags: [],
  usage: LOGOUT_USAGE,
  async run(p) {
    const server = registryArg(p, LOGOUT_USAGE);
    const { removed } = await removeCredentials(server);
    process.stdout.write(removed.length ? `Removing login credentials for ${server}\n` : `Not logged in to ${server}\n`);
    return 0;
  },
};
