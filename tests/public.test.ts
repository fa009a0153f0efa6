// public/ holds the static files Next.js serves from the site root (served by `next start`; the
// Playwright overview spec fetches them). Checked here without a build: they exist, are what their
// names say, and no app/ metadata route claims the same path (Next.js refuses to build then).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('public/', () => {
  it('favicon.ico is an ICO of PNG images at 16, 32 and 48 px', () => {
    const ico = readFileSync('public/favicon.ico');
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico.readUInt8(entry);
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + length).toBeLessThanOrEqual(ico.length);
      // PNG signature, then the IHDR width.
      expect([...ico.subarray(offset, offset + 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(ico.readUInt32BE(offset + 16)).toBe(size);
      sizes.push(size);
    }
    expect(sizes).toEqual([16, 32, 48]);
  });

  it('robots.txt keeps crawlers out of the dashboard', () => {
    expect(readFileSync('public/robots.txt', 'utf8')).toMatch(/^User-agent: \*\nDisallow: \/$/m);
  });

  it('no app/ metadata file claims the same paths', () => {
    for (const f of ['app/favicon.ico', 'app/robots.txt', 'app/robots.ts']) expect(existsSync(f), f).toBe(false);
  });
});
