import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('V8 flags', () => {
  it('sets each flag when loaded', () => {
    const setFlagsFromString = jest.fn();
    jest.isolateModules(() => {
      jest.doMock('node:v8', () => ({ setFlagsFromString }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded under the mock
      const { V8_FLAGS } = require('./v8-flags') as typeof import('./v8-flags');
      expect(V8_FLAGS).toContain('--no-allocation-site-pretenuring');
      expect(setFlagsFromString.mock.calls).toEqual(V8_FLAGS.map((f) => [f]));
    });
  });

  it('is the first module main.ts loads', () => {
    const main = readFileSync(join(__dirname, 'main.ts'), 'utf8');
    const firstImport = /^import .*$/m.exec(main)?.[0];
    expect(firstImport).toBe("import './v8-flags';");
  });
});
