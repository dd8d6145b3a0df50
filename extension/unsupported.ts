// A helper that does not have an area yet (networks and volumes arrive in
// later helpers) answers its methods with the error kind `unsupported`. The
// views take that as "nothing to show" and say so quietly, never as an error.
import { HelperError } from '../helper/protocol/client';

export function isUnsupported(e: unknown): boolean {
  return e instanceof HelperError && e.kind === 'unsupported';
}

/** A list from a helper, or undefined when it has no such area (a host's subtree says so in a leaf). */
export async function orUnsupported<T>(request: () => Promise<T[]>): Promise<T[] | undefined> {
  try { return await request(); } catch (e) { if (isUnsupported(e)) return undefined; throw e; }
}

/**
 * A view's list from the helper, or undefined when the helper has no such
 * area; keeps the view's `unsupported` context key (its welcome content and
 * title buttons) in step.
 */
export class AreaProbe {
  private unsupported?: boolean;
  constructor(private readonly contextKey: string, private readonly setContext: (key: string, on: boolean) => unknown) {}

  async list<T>(request: () => Promise<T[]>): Promise<T[] | undefined> {
    try {
      const list = await request();
      this.set(false);
      return list;
    } catch (e) {
      if (!isUnsupported(e)) throw e;
      this.set(true);
      return undefined;
    }
  }

  private set(on: boolean): void {
    if (this.unsupported === on) return;
    this.unsupported = on;
    void this.setContext(this.contextKey, on);
  }
}
