// Container ids and names, like Docker's: 64 hex digits (12 shown), and
// names that are generated when the user gives none.
import * as crypto from 'crypto';
import { invalid } from '../errors';

export function newId(): string {
  return crypto.randomBytes(32).toString('hex');
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * The name to keep. Docker takes a name with its leading "/" (the form its
 * inspect shows, `{{.Name}}` = "/web"): `--name /web` and `rename a /b` mean
 * web and b.
 */
export function checkName(name: string): string {
  const bare = typeof name === 'string' && name.startsWith('/') ? name.slice(1) : name;
  if (typeof bare !== 'string' || !NAME_RE.test(bare)) {
    throw invalid(`invalid container name "${String(name).slice(0, 64)}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 128 characters`);
  }
  return bare;
}

const LEFT = ['brave', 'calm', 'eager', 'fond', 'keen', 'quiet', 'sharp', 'swift', 'bold', 'jolly', 'lucid', 'merry', 'nifty', 'proud', 'witty', 'zen'];
const RIGHT = ['ada', 'babbage', 'curie', 'dijkstra', 'euler', 'gauss', 'hopper', 'knuth', 'lovelace', 'noether', 'pike', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

export function randomName(taken: (n: string) => boolean): string {
  for (let i = 0; ; i++) {
    const n = `${LEFT[crypto.randomInt(LEFT.length)]}_${RIGHT[crypto.randomInt(RIGHT.length)]}${i > 8 ? i : ''}`;
    if (!taken(n)) return n;
  }
}
