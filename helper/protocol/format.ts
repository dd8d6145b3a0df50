// Display helpers every client shows sizes with (the CLI, the VS Code extension).

/** "23.1 MiB", "64 MiB", "512 B": one decimal, dropped when it is zero. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < names.length - 1) { v /= 1024; i++; }
  const r = Math.round(v * 10) / 10;
  // 1023.96 KiB rounds to "1024 KiB": show it as the next unit instead.
  if (r >= 1024 && i < names.length - 1) { v = r / 1024; i++; }
  const txt = i === 0 ? String(Math.round(v)) : (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, '');
  return `${n < 0 ? '-' : ''}${txt} ${names[i]}`;
}
