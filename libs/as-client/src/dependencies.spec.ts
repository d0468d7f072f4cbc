import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The SDK runs in any application server: no Nest, no other @lns lib than the protocol core, nothing
 * of node but crypto (ARCHITECTURE.md: libs/as-client depends on lorawan only).
 */
describe('libs/as-client dependencies', () => {
  it('imports only @lns/lorawan, node:crypto and its own files (tests may use more)', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(join(__dirname, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)) {
        expect([file, m[1]]).toEqual([
          file,
          expect.stringMatching(/^(\.\/[a-z-.]+|@lns\/lorawan|node:crypto)$/),
        ]);
      }
    }
  });
});
