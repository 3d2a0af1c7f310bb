// The Dockerfile parser: directives, comments, continuations, exec vs shell form, flags,
// key/value forms and variable substitution.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { heredocMarkers, parseDockerfile, parseKeyValues, splitWords, substitute } from '../../src/build/parse-dockerfile';
import { runScript } from '../../src/build/builder';

describe('parseDockerfile', () => {
  test('instructions with line numbers, comments and continuations', () => {
    const ins = parseDockerfile(`# a comment
FROM busybox:1.37.0-musl AS base

RUN echo one \\
  # a comment inside a continuation
  && echo two
copy --from=base --chown=1:2 a b /dst/
CMD ["sh", "-c", "echo hi"]
ENTRYPOINT echo not json [
`);
    assert.deepEqual(ins.map((i) => [i.line, i.cmd]), [[2, 'FROM'], [4, 'RUN'], [7, 'COPY'], [8, 'CMD'], [9, 'ENTRYPOINT']]);
    assert.equal(ins[1]!.args, 'echo one   && echo two');
    assert.equal(ins[1]!.json, null);
    assert.deepEqual(ins[2]!.flags, { from: 'base', chown: '1:2' });
    assert.equal(ins[2]!.args, 'a b /dst/');
    assert.deepEqual(ins[3]!.json, ['sh', '-c', 'echo hi']);
    assert.equal(ins[4]!.json, null);
  });

  test('the escape directive changes the continuation character', () => {
    const ins = parseDockerfile('# escape=`\nFROM scratch\nRUN dir c:\\ `\n  /w\n');
    assert.equal(ins[1]!.args, 'dir c:\\   /w');
  });

  test('an unknown instruction fails with its line number', () => {
    assert.throws(() => parseDockerfile('FROM scratch\n\nFROBNICATE x\n'), /line 3: unknown instruction: FROBNICATE/);
  });

  test('a Dockerfile must start with FROM (ARG may come first)', () => {
    assert.throws(() => parseDockerfile('RUN echo hi\n'), /line 1: .*first instruction must be FROM/);
    assert.equal(parseDockerfile('ARG V=1\nFROM busybox:$V\n').length, 2);
    assert.throws(() => parseDockerfile('# only a comment\n'), /no instructions/);
  });
});

describe('words, key/values, substitution', () => {
  test('splitWords honours quotes and escapes', () => {
    assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
    assert.throws(() => splitWords('"open'), /unterminated/);
  });

  test('ENV/LABEL: K=V pairs and the legacy K V form', () => {
    assert.deepEqual(parseKeyValues('A=1 B="two words" C=', 'ENV'), [['A', '1'], ['B', 'two words'], ['C', '']]);
    assert.deepEqual(parseKeyValues('GREETING hello world', 'ENV'), [['GREETING', 'hello world']]);
  });

  test('substitute: $V, ${V}, defaults, alternatives, escaped dollar', () => {
    const vars = new Map([['A', 'x'], ['E', '']]);
    assert.equal(substitute('$A-${A}-${B:-dflt}-${A:+alt}-${B:+alt}-\\$A-$', vars), 'x-x-dflt-alt--$A-$');
    assert.equal(substitute('${E:-empty}', vars), 'empty');
    assert.throws(() => substitute('${A', vars), /missing }/);
  });
});

describe('heredocs (Dockerfile 1.4)', () => {
  test('RUN <<EOF collects the lines up to the delimiter, comments and blank lines included', () => {
    const ins = parseDockerfile('FROM scratch\nRUN <<EOF\n# not a comment here\n\necho "$HOME"\nEOF\nENV A=1\n');
    assert.deepEqual(ins.map((i) => [i.line, i.cmd]), [[1, 'FROM'], [2, 'RUN'], [7, 'ENV']]);
    assert.equal(ins[1]!.heredocs.length, 1);
    assert.deepEqual({ ...ins[1]!.heredocs[0]!, raw: undefined }, { name: 'EOF', body: '# not a comment here\n\necho "$HOME"\n', stripTabs: false, quoted: false, raw: undefined });
    assert.equal(runScript(ins[1]!), '# not a comment here\n\necho "$HOME"\n');
  });

  test('<<- strips leading tabs from the lines and the delimiter; quoted delimiters are marked', () => {
    const ins = parseDockerfile("FROM scratch\nRUN <<-'END'\n\techo a\n\t\techo b\n\tEND\n");
    assert.deepEqual(ins[1]!.heredocs[0]!.body, 'echo a\necho b\n');
    assert.equal(ins[1]!.heredocs[0]!.stripTabs, true);
    assert.equal(ins[1]!.heredocs[0]!.quoted, true);
  });

  test('a heredoc feeding a command goes to the shell verbatim; several heredocs in order', () => {
    const ins = parseDockerfile('FROM scratch\nRUN cat <<A > /a && cat <<-B > /b\none\nA\n\ttwo\n\tB\nCOPY <<X <<Y /dst/\nx\nX\ny\nY\n');
    assert.equal(runScript(ins[1]!), 'cat <<A > /a && cat <<-B > /b\none\nA\n\ttwo\n\tB\n');
    assert.deepEqual(ins[2]!.heredocs.map((h) => [h.name, h.body]), [['X', 'x\n'], ['Y', 'y\n']]);
    assert.deepEqual(ins[2]!.heredocs.map((h) => h.raw), ['x\nX', 'y\nY']);
  });

  test('an unterminated heredoc names the line; exec form and other instructions have none', () => {
    assert.throws(() => parseDockerfile('FROM scratch\nRUN <<EOF\necho hi\n'), /line 2: unterminated heredoc <<EOF/);
    const ins = parseDockerfile('FROM scratch\nRUN ["sh", "-c", "cat <<EOF"]\nLABEL a="<<EOF"\n');
    assert.equal(ins[1]!.heredocs.length, 0);
    assert.equal(ins[2]!.heredocs.length, 0);
    assert.equal(heredocMarkers('cat <<<"x"').length, 0);
    // not inside quotes, after a backslash, or in arithmetic
    assert.deepEqual(heredocMarkers(`echo "a<<b" 'c<<d' \\<<e $((1<<2)) && cat <<-"F"`).map((m) => [m.name, m.stripTabs, m.quoted, m.text]), [['F', true, true, '<<-"F"']]);
    const plain = parseDockerfile('FROM scratch\nRUN echo "x<<y"\nENV A=1\n');
    assert.deepEqual(plain.map((i) => i.cmd), ['FROM', 'RUN', 'ENV']);
  });
});
