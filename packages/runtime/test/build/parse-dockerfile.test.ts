// The Dockerfile parser: directives, comments, continuations, exec vs shell form, flags,
// key/value forms and variable substitution.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, parseKeyValues, splitWords, substitute } from '../../src/build/parse-dockerfile';

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
