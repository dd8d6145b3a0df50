// `nscope build --platform`: RUN steps run natively (no emulation), so a
// build can only make an image of this host's platform. The value is read by
// the registry's parser, the words `pull --platform` takes (case, a lone OS or
// architecture and the usual aliases such as x86_64 normalised there), then
// compared with the host's.
import { hostPlatform, type Platform } from '../images/oci';
import { formatPlatform, parsePlatform } from '../registry/manifest';
import { BuildError } from './build-error';

/** variants that are the architecture's baseline, written or not (containerd's Normalize drops them) */
const BASELINE_VARIANT: Record<string, string[]> = { amd64: ['v1'], arm64: ['v8'] };

/**
 * The platform a build asked for, as `pull --platform` takes it, when it is
 * this host's; undefined when none was asked for. Another platform throws
 * naming it and the host's.
 */
export function buildPlatform(asked: string | undefined): string | undefined {
  if (asked === undefined || asked.trim() === '') return undefined;
  let want: Platform;
  try { want = parsePlatform(asked.trim()); } catch (e) { throw new BuildError((e as Error).message); }
  if (want.variant && BASELINE_VARIANT[want.architecture]?.includes(want.variant)) want = { os: want.os, architecture: want.architecture };
  const host = hostPlatform();
  // a 32-bit arm host's own variant (v6, v7) is not known here: any is taken as the host's
  const sameVariant = !want.variant || host.architecture === 'arm';
  if (want.os !== host.os || want.architecture !== host.architecture || !sameVariant) {
    throw new BuildError(`--platform ${asked}: nscope build runs RUN steps natively (no emulation), so it builds only for this host's platform, ${formatPlatform(host)}`);
  }
  return formatPlatform(want);
}
