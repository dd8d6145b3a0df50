// Docker's detach keys, Ctrl-P then Ctrl-Q, for `nscope attach` to a
// console: the client lets go and the container runs on. A Ctrl-P is held
// back until the next byte says whether it starts the sequence (it may end
// one read and the Ctrl-Q begin the next); any other byte sends it on.
const CTRL_P = 0x10;
const CTRL_Q = 0x11;

/** A scanner over stdin's chunks: what to forward, and whether the sequence was typed (nothing after it is forwarded). */
export function detachScanner(): (chunk: Buffer) => { forward: Buffer; detach: boolean } {
  let held = false;
  return (chunk) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (held) {
        held = false;
        if (b === CTRL_Q) return { forward: Buffer.from(out), detach: true };
        out.push(CTRL_P);
      }
      if (b === CTRL_P) held = true;
      else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  };
}
