// Docker's label filters (ps, volume ls, the prune commands): `label=KEY`
// (the label is there) or `label=KEY=VALUE` (with that value), and prune's
// `label!=KEY[=VALUE]` (the label, or that value of it, is not there). The
// CLI and the helper both read them, so they are read once, here.

/** Does `labels` have the label `want` names ("KEY" or "KEY=VALUE")? */
export function labelMatch(want: string, labels: Record<string, string> | undefined): boolean {
  const eq = want.indexOf('=');
  const k = eq < 0 ? want : want.slice(0, eq);
  if (!labels || !Object.hasOwn(labels, k)) return false;
  return eq < 0 || labels[k] === want.slice(eq + 1);
}

/** Docker's prune rule: every `label=` matches and no `label!=` does. */
export function labelsPass(labels: Record<string, string> | undefined, want: readonly string[] = [], wantNot: readonly string[] = []): boolean {
  return want.every((w) => labelMatch(w, labels)) && !wantNot.some((w) => labelMatch(w, labels));
}
