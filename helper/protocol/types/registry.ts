// Registries: what pull, push and login take and send (the methods:
// ../methods/images.ts; the transfers: stream kinds "pull" and "push").

/**
 * Credentials for one registry, as the client found them (the user's
 * ~/.docker/config.json, auth.json or a credential helper): the helper runs
 * as root and never reads a user's files. Never logged.
 */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** an OAuth2 refresh token a registry gave at login (Docker's "identitytoken") */
  identitytoken?: string;
  /** a bearer token to send as it is */
  registrytoken?: string;
}

/** Where a pulled image came from: shown in the Images view and by inspect. */
export interface ImageOrigin {
  /** "docker.io", "127.0.0.1:5000" */
  registry: string;
  /** "library/alpine" */
  repository: string;
  /** the manifest (or index) digest the reference resolved to */
  digest: string;
  /** the tag pulled, if any */
  tag?: string;
}

/**
 * One line of a pull or push stream (newline-delimited JSON, like Docker's
 * /images/create progress). `id` is a layer's short digest (12 hex).
 * The stream ends with exactly one `done` or `error` line. The client
 * cancels by closing the connection: the transfer stops and leaves no
 * partial layer in the store.
 */
export type TransferLine =
  | { kind: 'status'; status: string }
  | {
      kind: 'progress'; id: string;
      status: 'Pulling fs layer' | 'Waiting' | 'Downloading' | 'Verifying Checksum' | 'Download complete' | 'Extracting' | 'Pull complete' | 'Already exists'
        | 'Preparing' | 'Pushing' | 'Pushed' | 'Mounted' | 'Layer already exists' | 'Retrying';
      current?: number; total?: number;
      /** 'Mounted': the repository the registry linked the blob from (Docker's "Mounted from REPO": its path, no registry) */
      from?: string;
    }
  // `tags`: of an --all-tags transfer, each tag's reference and digest (`ref` is then the repository, `digest` the last tag's)
  | { kind: 'done'; ref: string; digest: string; image?: import('./images').ImageSummaryInfo; tags?: Array<{ ref: string; digest: string }> }
  | { kind: 'error'; code: string; message: string };

export type PullPolicy = 'missing' | 'always' | 'never';
