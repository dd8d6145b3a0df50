// The names a container answers to on a user-defined network, shared by the
// helper (its peers' /etc/hosts lines) and the CLI (inspect's DNSNames).

/**
 * In the order of Docker's DNSNames: its name, its aliases, its short ID and
 * its host name (`run --hostname db1`: Docker's DNS answers `db1` too, so
 * nscope's hosts lines name it as well); each once.
 */
export function dnsNames(c: { id: string; name: string; hostname?: string }, aliases: string[]): string[] {
  return [...new Set([c.name, ...aliases, c.id.slice(0, 12), ...(c.hostname ? [c.hostname] : [])])];
}
