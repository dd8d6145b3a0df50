// ONBUILD: the triggers a base image holds, run as the first instructions of
// a stage built FROM it (Docker's order), then dropped: the stage's image
// keeps only the triggers of its own ONBUILD lines, not its base's.
import { parseContainerfile, type Instruction } from '../../language/containerfile';
import { triggerProblem } from '../../language/onbuild';
import { BuildError } from './build-error';

/** The change that empties an image's triggers (rootfs/commit-change.ts: ONBUILD's JSON form sets the list). */
export const CLEAR_TRIGGERS = 'ONBUILD []';

/**
 * The base's triggers as instructions; each placed at the FROM line, where
 * an error in one is reported (as Docker does). A trigger that is not one
 * instruction, or one ONBUILD may not hold, is refused naming the base.
 */
export function triggerInstructions(onBuild: unknown, from: Instruction, where: string, base: string): Instruction[] {
  if (onBuild === undefined || onBuild === null) return [];
  if (!Array.isArray(onBuild) || onBuild.some((t) => typeof t !== 'string')) throw new BuildError(`${where}: ${base}: its ONBUILD triggers are not a list of strings`);
  return (onBuild as string[]).map((text, i) => {
    const bad = triggerProblem(text);
    const parsed = bad ? undefined : parseContainerfile(text);
    const ins = parsed?.instructions;
    if (bad || parsed!.errors.length || ins!.length !== 1) {
      const why = bad ?? parsed!.errors[0]?.message ?? 'not one instruction';
      throw new BuildError(`${where}: ${base}: ONBUILD trigger ${i + 1} (${JSON.stringify(text.slice(0, 60))}): ${why}`);
    }
    return { ...ins![0], range: from.range };
  });
}
