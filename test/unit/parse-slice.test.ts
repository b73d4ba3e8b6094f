import { describe, expect, it } from 'vitest';
import { parseSlice } from '../../src/sources/sources.js';

describe('a slice as written (the CLI, the dashboard, the alert state)', () => {
  it('is an attribute of the acting user and a value, which may itself hold =', () => {
    expect(parseSlice('os=iOS')).toEqual({ attribute: 'os', value: 'iOS' });
    expect(parseSlice('city=a=b')).toEqual({ attribute: 'city', value: 'a=b' });
  });

  it.each(['planet=Mars', 'os=', '=iOS', 'os', ''])('is not %j', (text) => {
    expect(parseSlice(text)).toBeUndefined();
  });
});
