// Helper side: how to reach a registry — its mirrors, whether plain HTTP is
// allowed, which CAs and client certificates its TLS uses. (Stub: the
// signatures are the contract.)

export interface RegistrySettings {
  /** hosts ("host:port") or CIDRs whose registries may be reached over plain HTTP or unverified TLS */
  insecure: string[];
  /** mirrors of docker.io, tried in order before it ("https://mirror.example:5000") */
  mirrors: string[];
  /** Docker's certs.d convention: DIR/HOST[:PORT]/{ca.crt,*.cert,*.key} */
  certsDir: string;
}

export interface Endpoint {
  /** "https://127.0.0.1:5000" or "http://…"; no trailing slash */
  url: string;
  /** the registry host these requests are for ("docker.io" → "registry-1.docker.io") */
  host: string;
  /** a mirror: on failure the next endpoint is tried */
  mirror: boolean;
  /** TLS material for https endpoints; `verify: false` only for insecure registries */
  tls?: { ca?: Buffer[]; cert?: Buffer; key?: Buffer; verify: boolean };
}

export function defaultSettings(): RegistrySettings {
  return { insecure: [], mirrors: [], certsDir: '/etc/docker/certs.d' };
}

/** The endpoints to try for `registry`, in order. */
export function endpointsFor(registry: string, settings: RegistrySettings): Endpoint[] {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return [{ url: `https://${host}`, host, mirror: false, tls: { verify: true } }];
}
