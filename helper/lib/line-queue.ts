// Lines of a child's status pipe, taken one at a time in order: next()
// resolves with the next whole line, or null once the pipe has ended (or
// failed) and no line is left. The shim's and the files worker's status
// lines are read this way.
export interface LineQueue { next(): Promise<string | null> }

export function lineQueue(stream: NodeJS.ReadableStream): LineQueue {
  let buf = '';
  const lines: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); }
    wake?.();
  });
  stream.on('end', () => { ended = true; wake?.(); });
  stream.on('error', () => { ended = true; wake?.(); });
  stream.on('close', () => { ended = true; wake?.(); });
  return {
    async next() {
      for (;;) {
        if (lines.length) return lines.shift()!;
        if (ended) return null;
        await new Promise<void>((r) => { wake = r; });
        wake = undefined;
      }
    },
  };
}
