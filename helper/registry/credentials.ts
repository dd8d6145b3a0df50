// Client side: the credentials a user keeps for registries, where the
// ecosystem keeps them. (Stub: the signatures are the contract; see git log.)
import type { RegistryAuth } from '../protocol/types/registry';

export interface CredentialOptions {
  /** defaults to process.env: HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, PATH */
  env?: NodeJS.ProcessEnv;
}

/** The credentials stored for `registry` ("docker.io", "127.0.0.1:5000"), or undefined. */
export async function credentialsFor(registry: string, opts: CredentialOptions = {}): Promise<RegistryAuth | undefined> {
  void registry; void opts;
  return undefined;
}

/** Stores credentials after a successful login; returns where (a file path or "docker-credential-NAME"). */
export async function saveCredentials(registry: string, auth: RegistryAuth, opts: CredentialOptions = {}): Promise<{ where: string }> {
  void registry; void auth; void opts;
  throw new Error('saveCredentials: not implemented yet');
}

/** Forgets the credentials of `registry` everywhere they are kept; returns the places they were removed from. */
export async function removeCredentials(registry: string, opts: CredentialOptions = {}): Promise<{ removed: string[] }> {
  void registry; void opts;
  throw new Error('removeCredentials: not implemented yet');
}
