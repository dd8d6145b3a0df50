// ONBUILD's rule for what a trigger may be, Docker's: one instruction, not
// ONBUILD again, FROM or MAINTAINER. Read by the language server (a
// diagnostic at the line), the build and `commit --change` (a refusal).
import { INSTRUCTIONS } from './instructions';

/** Instructions a trigger cannot be (Docker's rules); undefined when `trigger` is one ONBUILD may hold. */
export function triggerProblem(trigger: string): string | undefined {
  const word = /^\S*/.exec(trigger.trim())?.[0] ?? '';
  if (!word) return 'ONBUILD needs an instruction to run later';
  if (!/^[A-Za-z]+$/.test(word)) return `"${word.slice(0, 40)}" is not an instruction`;
  const kw = word.toUpperCase();
  if (kw === 'ONBUILD') return 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed';
  if (kw === 'FROM' || kw === 'MAINTAINER') return `${kw} isn't allowed as an ONBUILD trigger`;
  if (!INSTRUCTIONS[kw]) return `unknown instruction "${word.slice(0, 40)}" to run later`;
  return undefined;
}
