// Rules as iptables-save / iptables -S print them, given back to iptables:
// "-A CHAIN …" minus the "-A ", words split with quoted ones kept whole (a
// --comment "…") and their quotes removed.
export function ruleWords(line: string): string[] {
  return line.replace(/^-A /, '').match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"(.*)"$/, '$1'));
}
