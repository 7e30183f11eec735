import { describe, expect, it } from 'vitest';

describe('Setup: scanOutputForKeys', () => {
  it('is installed for every test file: console and stdout are wrapped', () => {
    // The wrappers are closures defined by the setup file, not Node's or vitest's own functions.
    expect(console.log.toString()).toContain('scan(');
    expect(process.stdout.write.toString()).toContain('scan(');
  });
});
