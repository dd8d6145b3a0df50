// Kernel sources: the /proc and cgroup files behind what the views show,
// read through the helper (the extension runs as a user who may not read
// them). Only an allowlist of kernel objects is readable; see
// helper/server/kernel-read.ts for what it is and why.

/**
 * - 'file': the bytes the kernel gave for the file, as they are;
 * - 'namespace': `/proc/PID/ns/TYPE` is a magic link, not a file: text nscope
 *   writes from readlink(2) (what `readlink` and `ls -ln /proc/PID/ns` show);
 * - 'namespaces': `/proc/PID/ns` itself, the same listing;
 * - 'interface': `/sys/class/net/NAME`, a directory of attribute files: text
 *   nscope writes from them (what `grep .` over them prints).
 */
export type KernelSourceKind = 'file' | 'namespace' | 'namespaces' | 'interface' | 'netfilter';

export interface KernelReadResult {
  /** the path asked for */
  path: string;
  /** the path read, symlinks resolved (e.g. /sys/fs/cgroup/cpu -> cpu,cpuacct) */
  resolved: string;
  kind: KernelSourceKind;
  /** base64: kernel files need not be text (/proc/PID/cmdline has NULs) */
  data: string;
  /** the bytes in `data` */
  length: number;
}

/** A kernel source larger than this is refused rather than cut. */
export const MAX_KERNEL_READ = 1024 * 1024;
