import { describe, expect, it } from 'vitest';
import { decodedPayloadsOf, decodePrintableBase64, isBase64Decoder, literalOutputOf } from './base64.js';

const command = (argv: string[], redirects: { op: string; target: string }[] = []) => ({ name: argv[0] ?? '', argv, redirects });

describe('base64 payloads', () => {
  it.each([
    [['base64', '-d'], true], [['base64', '--decode'], true], [['base64', '-D'], true], [['base64', '-di'], true],
    [['base64'], false], [['base64', '-w0'], false], [['openssl', 'base64', '-d'], true], [['openssl', 'enc', '-d', '-a'], true],
    [['openssl', 'enc', '-aes-256-cbc', '-d'], false], [['openssl', 'base64'], false],
  ])('isBase64Decoder(%j) is %s', (argv, expected) => {
    expect(isBase64Decoder(command(argv))).toBe(expected);
  });

  it.each([
    [['echo', 'a', 'b'], 'a b'], [['echo', '-n', 'abc'], 'abc'], [['echo', '-ne', 'abc'], 'abc'], [['echo'], null],
    [['printf', '%s', 'abc'], 'abc'], [['printf', 'abc'], 'abc'], [['printf', '%d', '1'], null], [['cat', 'f'], null],
  ])('literalOutputOf(%j) is %j', (argv, expected) => {
    expect(literalOutputOf(command(argv))).toBe(expected);
  });

  it('decodes printable text only', () => {
    expect(decodePrintableBase64('aWQ=')).toBe('id');
    expect(decodePrintableBase64(' Y3Vy\nbA== ')).toBe('curl');
    expect(decodePrintableBase64('AAECAw==')).toBeNull();
    expect(decodePrintableBase64('not base64!')).toBeNull();
    expect(decodePrintableBase64('$(id)')).toBeNull();
    expect(decodePrintableBase64('QUJD'.repeat(5000))).toBeNull(); // over the size limit
  });

  it('finds payloads from echo, printf and here-strings', () => {
    expect(decodedPayloadsOf([command(['echo', 'aWQ=']), command(['base64', '-d']), command(['sh'])])).toEqual(['id']);
    expect(decodedPayloadsOf([command(['base64', '-d'], [{ op: '<<<', target: 'aWQ=' }]), command(['sh'])])).toEqual(['id']);
    expect(decodedPayloadsOf([command(['cat', 'x']), command(['base64', '-d'])])).toEqual([]);
    expect(decodedPayloadsOf([command(['echo', 'aWQ=']), command(['tee', 'x']), command(['base64', '-d'])])).toEqual([]);
  });
});
