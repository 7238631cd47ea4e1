import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BasicCredentials, credentialsFromEnvironment, uniqueCredentials } from './credentials.js';

describe('BasicCredentials', () => {
  it('builds the Basic header with the default username', () => {
    const c = new BasicCredentials(undefined, 's3cret');
    expect(c.username).toBe('opencode');
    expect(c.authorization()).toBe(`Basic ${Buffer.from('opencode:s3cret').toString('base64')}`);
  });

  it('never exposes the password through JSON, spread, keys or inspect', () => {
    const c = new BasicCredentials('alice', 'hunter2-secret');
    const views = [JSON.stringify(c), JSON.stringify({ ...c }), Object.keys(c).join(','), inspect(c), String(c), inspect({ nested: c })];
    for (const v of views) expect(v).not.toContain('hunter2-secret');
    expect(JSON.parse(JSON.stringify(c))).toEqual({ username: 'alice', password: '[redacted]' });
  });

  it('compares by value', () => {
    expect(new BasicCredentials('a', 'x').sameAs(new BasicCredentials('a', 'x'))).toBe(true);
    expect(new BasicCredentials('a', 'x').sameAs(new BasicCredentials('a', 'y'))).toBe(false);
    expect(new BasicCredentials('a', 'x').sameAs(new BasicCredentials('b', 'x'))).toBe(false);
  });
});

describe('credentialsFromEnvironment', () => {
  it('reads OPENCODE_SERVER_PASSWORD and USERNAME', () => {
    const c = credentialsFromEnvironment({ OPENCODE_SERVER_PASSWORD: 'pw', OPENCODE_SERVER_USERNAME: 'bob' });
    expect(c?.username).toBe('bob');
    expect(c?.authorization()).toBe(`Basic ${Buffer.from('bob:pw').toString('base64')}`);
  });

  it('returns nothing without a password', () => {
    expect(credentialsFromEnvironment({ OPENCODE_SERVER_USERNAME: 'bob' })).toBeUndefined();
    expect(credentialsFromEnvironment({ OPENCODE_SERVER_PASSWORD: '' })).toBeUndefined();
    expect(credentialsFromEnvironment(undefined)).toBeUndefined();
  });

  it('dedupes equal pairs', () => {
    const list = uniqueCredentials([new BasicCredentials('a', 'x'), undefined, new BasicCredentials('a', 'x'), new BasicCredentials('a', 'z')]);
    expect(list).toHaveLength(2);
  });
});
