// `nscope build --label KEY=VALUE`: the image's labels, set as a LABEL at the
// end of the last stage would set them (Docker's builder appends one), so
// they land in the config's Labels (over any the Containerfile set) and make
// no layer. The change is parsed by rootfs/commit-change.ts like a
// Containerfile's LABEL: quotes and $VAR there mean something, and a label
// given on the command line is taken literally, so each word is quoted.
import { BuildError } from './build-error';
import { literal } from './config-change';

/** The LABEL change for `labels`, or undefined when there are none. */
export function labelChange(labels: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(labels ?? {});
  if (!entries.length) return undefined;
  for (const [k] of entries) {
    if (!k) throw new BuildError('--label: a label needs a name (KEY=VALUE)');
    // LABEL tells KEY=VALUE from its legacy "KEY VALUE" form by its first word: a name with a space reads as the latter
    if (/\s/.test(k)) throw new BuildError(`--label "${k.slice(0, 60)}": a label's name cannot contain whitespace`);
    // its first = ends the name
    if (k.includes('=')) throw new BuildError(`--label "${k.slice(0, 60)}": a label's name cannot contain =`);
  }
  return `LABEL ${entries.map(([k, v]) => `${literal(k)}=${literal(v)}`).join(' ')}`;
}
