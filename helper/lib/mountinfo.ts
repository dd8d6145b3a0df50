// /proc/PID/mountinfo, one entry per line: the fields every reader here
// needs, unescaped. Pure over the text, so it can be tested on fixtures.

export interface MountEntry {
  /** "major:minor" of the superblock: two mounts with the same one share a file system */
  dev: string;
  /** the path inside that file system that is mounted here */
  root: string;
  mountPoint: string;
  /** the mount's own options (before the " - "): rw/ro, nosuid, nodev, noexec, relatime, … */
  mountOptions: string[];
  fsType: string;
  source: string;
  /** the super block's options (after the " - "), e.g. ["rw", "lowerdir=...", ...], each unescaped */
  superOptions: string[];
  /** the optional fields before the " - ": the propagation ("shared:N", "master:N", "propagate_from:N", "unbindable"); none for a private mount */
  optionalFields: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal (and, in options, commas). */
export function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 3) continue;
    out.push({
      dev: pre[2], root: unescapeMountinfo(pre[3]), mountPoint: unescapeMountinfo(pre[4]), mountOptions: pre[5].split(','),
      fsType: post[0], source: unescapeMountinfo(post[1]),
      // split before unescaping: an escaped comma is part of a value, not a separator
      superOptions: post[2].split(',').map(unescapeMountinfo),
      optionalFields: pre.slice(6).filter(Boolean),
    });
  }
  return out;
}
