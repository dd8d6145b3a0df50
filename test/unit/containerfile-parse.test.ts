// language/containerfile.ts, the one Containerfile parser (nscope build runs
// what it returns, the language server checks it): directives, continuations
// with comments inside, flags, exec form, heredocs, words, variables, stages,
// and the 0-based positions an editor points with.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { argsSubrange, expandVariables, jsonForm, parseContainerfile, processWords, splitWords, stagesOf, variableRefs } from '../../language/containerfile';

const at = (line: number, character: number) => ({ line, character });

describe('parseContainerfile', () => {
  test('instructions, upper-cased keywords, positions', () => {
    const f = parseContainerfile('from alpine:3.19\n\n# a comment\nRUN echo hi\n');
    assert.deepEqual(f.instructions.map((i) => [i.keyword, i.args]), [['FROM', 'alpine:3.19'], ['RUN', 'echo hi']]);
    assert.deepEqual(f.instructions[1].keywordRange, { start: at(3, 0), end: at(3, 3) });
    assert.deepEqual(f.instructions[1].argsRange, { start: at(3, 4), end: at(3, 11) });
    assert.deepEqual(f.errors, []);
  });

  test('directives only at the top; escape=` changes the continuation character', () => {
    const f = parseContainerfile('# escape=`\n# syntax=docker/dockerfile:1\nFROM x\nRUN echo a `\n  # inside\n  b\n# escape=\\\n');
    assert.equal(f.escape, '`');
    assert.equal(f.directives.syntax, 'docker/dockerfile:1');
    const run = f.instructions[1];
    assert.equal(run.args, 'echo a   b');
    assert.deepEqual(run.range, { start: at(3, 0), end: at(5, 3) });
    // the continued line's offset maps back to its own physical line
    assert.deepEqual(argsSubrange(run, 9, 10), { start: at(5, 2), end: at(5, 3) });
    assert.equal(parseContainerfile('FROM x\n# escape=`\n').escape, '\\');
  });

  test('a bad escape directive is an error', () => {
    assert.match(parseContainerfile('# escape=x\nFROM a\n').errors[0].message, /invalid escape token/);
  });

  test('flags before the arguments, with their ranges', () => {
    const copy = parseContainerfile('FROM a\nCOPY --from=build --chmod=755 --link a b\n').instructions[1];
    assert.deepEqual(copy.flags.map((f) => [f.name, f.value]), [['from', 'build'], ['chmod', '755'], ['link', undefined]]);
    assert.deepEqual(copy.flags[0].range, { start: at(1, 5), end: at(1, 17) });
    assert.equal(copy.args, 'a b');
  });

  test('exec form only for a JSON array of strings', () => {
    const f = parseContainerfile('FROM a\nCMD ["sh", "-c", "echo"]\nCMD [\'sh\']\nENTRYPOINT ["a", 1]\n');
    assert.deepEqual(f.instructions[1].json, ['sh', '-c', 'echo']);
    assert.equal(f.instructions[2].json, undefined);
    assert.equal(f.instructions[3].json, undefined);
    assert.deepEqual(jsonForm(' [ "a" ] '), ['a']);
    assert.equal(jsonForm('echo [x]'), undefined);
  });

  test('heredocs: body, <<- and quoting; an unclosed one is an error', () => {
    const f = parseContainerfile('FROM a\nRUN <<EOF\necho x\nEOF\nCOPY <<-"END" /f\n\tline\nEND\nCMD x\n');
    const [, run, copy, cmd] = f.instructions;
    assert.deepEqual(run.heredocs.map((h) => [h.name, h.body, h.stripTabs, h.quoted]), [['EOF', 'echo x\n', false, false]]);
    assert.deepEqual(run.range, { start: at(1, 0), end: at(3, 3) });
    assert.deepEqual(copy.heredocs.map((h) => [h.name, h.stripTabs, h.quoted]), [['END', true, true]]);
    assert.equal(cmd.keyword, 'CMD');
    assert.match(parseContainerfile('RUN <<EOF\nx\n').errors[0].message, /unterminated heredoc/);
  });

  test('CRLF line ends and a BOM', () => {
    const f = parseContainerfile('\uFEFFFROM a\r\nRUN b\r\n');
    assert.deepEqual(f.instructions.map((i) => i.args), ['a', 'b']);
  });
});

describe('words and variables', () => {
  test('splitWords: quotes and escapes removed, offsets kept', () => {
    assert.deepEqual(splitWords('a "b c" d\\ e'), [
      { value: 'a', start: 0, end: 1 }, { value: 'b c', start: 2, end: 7 }, { value: 'd e', start: 8, end: 12 },
    ]);
  });

  test('variableRefs: $X and ${X…}, not an escaped \\$X', () => {
    assert.deepEqual(variableRefs('$A ${B:-x} \\$C'), [{ name: 'A', start: 0, end: 2 }, { name: 'B', start: 3, end: 10 }]);
  });

  test('expandVariables: values and :- defaults', () => {
    assert.equal(expandVariables('$A-${B:-x}', (n) => (n === 'A' ? '1' : undefined)), '1-x');
  });

  test('processWords: quotes, escapes and variables in one pass, as Docker\'s lexer (a value is never read again)', () => {
    const vars: Record<string, string> = { V: 'a b', Q: '"q"', D: '$HOME', E: '' };
    const look = (n: string) => vars[n];
    assert.deepEqual(processWords('X=$V Y="$V" Z=\'$V\' W=\\$V U=$Q T=$D', look), ['X=a b', 'Y=a b', 'Z=$V', 'W=$V', 'U="q"', 'T=$HOME']);
    assert.deepEqual(processWords('"\\$V" ${E:-e} ${E-e} ${N-n} ${V:+set} ${N+set}x $ ${V}', look), ['$V', 'e', '', 'n', 'set', 'x', '$', 'a b']);
    assert.deepEqual(processWords('legacy  $V  \'q  r\'', look, '\\', false), ['legacy  a b  q  r']);
    assert.deepEqual(processWords('${N:-"a b"}', look), ['a b']);
    // the backtick escape: a backslash is a plain character
    assert.deepEqual(processWords('C:\\dir `$V', look, '`'), ['C:\\dir', '$V']);
    assert.throws(() => processWords('A="open', look), /matching double-quote/);
    assert.throws(() => processWords('${V', look), /bad substitution/);
    assert.throws(() => processWords('${V:-x', look), /missing '}'/);
    assert.throws(() => processWords('${N:?must be set}', look), /N: must be set/);
  });

  test('processWords: Dockerfile 1.7\'s pattern substitutions, as BuildKit\'s lexer (#, ##, %, %%, /, //)', () => {
    const look = (n: string) => ({ F: '/home/tux/book/book.tar.bz2', S: 'a*b*c' } as Record<string, string>)[n];
    assert.deepEqual(processWords('${F#*/} ${F##*/} ${F%.*} ${F%%.*}', look), ['home/tux/book/book.tar.bz2', 'book.tar.bz2', '/home/tux/book/book.tar', '/home/tux/book/book']);
    assert.deepEqual(processWords('${F/book/B} ${F//book/B} ${F/nothing/x} ${F#?home} ${N#x}', look), ['/home/tux/B/book.tar.bz2', '/home/tux/B/B.tar.bz2', '/home/tux/book/book.tar.bz2', '/tux/book/book.tar.bz2', '']);
    assert.deepEqual(processWords('${S#*\\*} ${S%\\**} ${S//\\*/-}', look), ['b*c', 'a*b', 'a-b-c']);
    assert.throws(() => processWords('${F/x', look), /missing '\/'/);
  });
});

describe('stagesOf', () => {
  test('index, lower-cased name, base, instructions of each stage', () => {
    const s = stagesOf(parseContainerfile('ARG V=1\nFROM alpine:$V AS Build\nRUN a\nFROM build\nCOPY --from=build / /\n'));
    assert.deepEqual(s.map((x) => [x.index, x.name, x.base, x.instructions.map((i) => i.keyword)]), [
      [0, 'build', 'alpine:$V', ['RUN']], [1, undefined, 'build', ['COPY']],
    ]);
  });
});

test('diagnostics of RUN\'s flags: --mount keys, types and targets, --network values; variables left to the build', async () => {
  const { checkContainerfile } = await import('../../language/check');
  const said = (line: string) => checkContainerfile(`FROM scratch\n${line}\n`).map((x) => x.message);
  assert.deepEqual(said('RUN --mount=type=cache,target=/root/.cache --mount=type=bind,source=req.txt,target=/r --network=none true'), []);
  assert.deepEqual(said('RUN --mount=type=cahce,target=/x true'), ['--mount type=cahce: bind, cache, tmpfs, secret, ssh']);
  assert.deepEqual(said('RUN --mount=type=bind,source=a,target=/a,colour=red true'), ['unknown --mount key "colour"']);
  assert.deepEqual(said('RUN --mount=type=tmpfs true'), ['--mount=type=tmpfs: a target is needed']);
  assert.deepEqual(said('RUN --mount=type=secret,id=tok true'), []);
  assert.deepEqual(said('RUN --network=bridge true'), ['--network=bridge: default, none, host']);
  assert.match(said('RUN --mount=type=ssh true')[0], /no SSH agent forwarding/);
});
