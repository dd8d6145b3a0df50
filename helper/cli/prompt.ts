// Asking the user at the terminal: one line, echoed or not (a password).
// The terminal is put in raw mode for the answer, so the echo is ours to
// give or withhold; the prompts go to stderr, keeping stdout for results.

/** One line typed at the terminal (stdin must be a TTY); Ctrl-C or Ctrl-D on an empty line rejects. */
export function promptLine(question: string, opts: { echo: boolean }): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new Error('stdin is not a terminal: cannot ask for input'));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let line = '';
    /** inside an escape sequence (an arrow key: ESC [ A): not text */
    let esc = false;
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err); else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (esc) { if (ch !== '[' && ch >= '@' && ch <= '~') esc = false; continue; }
        if (ch === '\x1b') { esc = true; continue; }
        if (ch === '\r' || ch === '\n') { finish(); return; }
        if (ch === '\x03') { finish(new Error('interrupted')); return; }
        if (ch === '\x04') { if (line === '') { finish(new Error('no answer (end of input)')); return; } continue; }
        if (ch === '\x7f' || ch === '\b') {
          if (line && opts.echo) process.stderr.write('\b \b');
          line = [...line].slice(0, -1).join('');
          continue;
        }
        if (ch === '\x15') { // Ctrl-U: the whole line goes
          if (opts.echo) process.stderr.write('\b \b'.repeat([...line].length));
          line = '';
          continue;
        }
        if (ch < ' ') continue; // other control keys are not text
        line += ch;
        if (opts.echo) process.stderr.write(ch);
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** All of stdin, as text (for --password-stdin). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
