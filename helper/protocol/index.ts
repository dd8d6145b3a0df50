// THE contract between the helper and its clients (CLI, VS Code extension):
// the data types (./types/, one file per area) and the method tables
// (./methods/) that name each method's params and result with them. Both
// are re-exported here; a front end that only shows data imports ./types.
export * from './types';
export * from './methods';

export const PROTOCOL_VERSION = 1;
