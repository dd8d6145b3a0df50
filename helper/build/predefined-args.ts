// The build arguments a build has without an ARG line of its own, as
// Docker's builders have them:
// - the proxy variables (HTTP_PROXY, NO_PROXY, … and their lower-case names):
//   given with --build-arg, every RUN step's environment has them in every
//   stage, declared or not; left out of the step's cache key and history (they
//   often hold credentials), unless an ARG declares them;
// - the platform ones (TARGETPLATFORM, TARGETARCH, BUILDOS, …): BuildKit sets
//   them in the global scope, so `FROM --platform=$BUILDPLATFORM` and a
//   stage's bare `ARG TARGETARCH` get them. nscope builds for this host only
//   (./platform.ts), so the build's and the target's platform are the same.
import { hostPlatform } from '../images/oci';
import { formatPlatform, parsePlatform } from '../registry/manifest';

export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** TARGET* and BUILD* for `platform` (the build's --platform, as ./platform.ts normalised it) or this host's. */
export function platformArgs(platform: string | undefined): Map<string, string> {
  const host = hostPlatform();
  const target = platform ? parsePlatform(platform) : host;
  const out = new Map<string, string>();
  for (const [prefix, p] of [['TARGET', target], ['BUILD', host]] as const) {
    out.set(`${prefix}PLATFORM`, formatPlatform(p));
    out.set(`${prefix}OS`, p.os);
    out.set(`${prefix}ARCH`, p.architecture);
    out.set(`${prefix}VARIANT`, p.variant ?? '');
  }
  return out;
}

/** The proxy variables given with --build-arg that no ARG of the stage declared: RUN's environment has them all the same. */
export function proxyEnv(buildArgs: Map<string, string>, declared: Map<string, string>): [string, string][] {
  return PROXY_ARGS.filter((k) => buildArgs.has(k) && !declared.has(k)).map((k) => [k, buildArgs.get(k)!]);
}

/**
 * The --build-arg names no ARG of the stages built declared (the proxy
 * variables aside, which need none): Docker's classic builder warns of them.
 */
export function unusedBuildArgs(buildArgs: Map<string, string>, declared: Set<string>): string[] {
  return [...buildArgs.keys()].filter((k) => !declared.has(k) && !PROXY_ARGS.includes(k));
}
