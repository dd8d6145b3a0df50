// `login`: credentials checked against the registry the way Docker does —
// its /v2/ challenge answered with them (a token fetched, asking for a
// refresh token that can stand for the password afterwards). The helper
// keeps nothing: the client stores what it is told succeeded.
import { invalid } from '../errors';
import type { RegistryAuth } from '../protocol/types/registry';
import { RegistryClient } from './client';
import { normalizeRegistry } from './reference';
import type { RegistrySettings } from './settings';

export async function login(settings: RegistrySettings, server: unknown, auth: unknown): Promise<{ status: string; identitytoken?: string }> {
  if (server !== undefined && typeof server !== 'string') throw invalid('login: server must be a string');
  const a = auth as RegistryAuth | undefined;
  if (!a || typeof a !== 'object' || typeof a.username !== 'string' || typeof a.password !== 'string' || !a.username) throw invalid('login: a username and a password are needed');
  if (a.username.length > 1024 || a.password.length > 16384 || /[\0\n\r]/.test(a.username)) throw invalid('login: username or password too long or with control characters');
  const registry = normalizeRegistry(server);
  const client = new RegistryClient(registry, '', settings, { username: a.username, password: a.password }, 'pull');
  try {
    await client.login();
  } finally {
    client.close();
  }
  return { status: 'Login Succeeded', ...(client.refreshToken ? { identitytoken: client.refreshToken } : {}) };
}
