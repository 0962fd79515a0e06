import { describe, expect, it } from 'vitest';
import { extractPresentedKey } from './extract-presented-key.js';

describe('extractPresentedKey', () => {
  it('reads a Bearer token, whatever the scheme’s case and surrounding spaces', () => {
    expect(extractPresentedKey({ authorization: 'Bearer fk-1' })).toBe('fk-1');
    expect(extractPresentedKey({ authorization: 'bearer   fk-2  ' })).toBe('fk-2');
  });

  it('falls back to x-api-key, then api-key', () => {
    expect(extractPresentedKey({ 'x-api-key': 'fk-3' })).toBe('fk-3');
    expect(extractPresentedKey({ 'api-key': ' fk-4 ' })).toBe('fk-4');
    expect(extractPresentedKey({ 'x-api-key': 'fk-5', 'api-key': 'fk-6' })).toBe('fk-5');
    expect(extractPresentedKey({ authorization: 'Bearer fk-7', 'x-api-key': 'fk-8' })).toBe('fk-7');
  });

  it('ignores other authorization schemes and empty values', () => {
    expect(extractPresentedKey({ authorization: 'Basic dXNlcjpwdw==', 'x-api-key': 'fk-9' })).toBe('fk-9');
    expect(extractPresentedKey({ authorization: 'Bearer', 'api-key': '' })).toBeUndefined();
    expect(extractPresentedKey({ authorization: 'Bearer a b' })).toBeUndefined();
    expect(extractPresentedKey({})).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(extractPresentedKey({ 'x-api-key': ['fk-10', 'fk-11'] })).toBe('fk-10');
  });
});
