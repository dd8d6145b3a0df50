// A dev_t (st_rdev) as glibc's major()/minor() read it: 12 bits of major and
// 20 of minor split across the 64-bit value.
export const devMajor = (rdev: number): number => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
export const devMinor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
