// What a build refuses or fails at: bad input (the Containerfile, the
// context, the options) and failed steps. Apart from other errors so the CLI
// can tell them from the helper's, and in a file of its own so the build's
// option checks (platform.ts, run-step.ts) can throw it without importing
// build.ts.
export class BuildError extends Error {}
