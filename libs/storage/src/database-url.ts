import { isAbsolute, join } from 'node:path';

export interface SqliteTarget {
  kind: 'sqlite';
  /** A file path, or ':memory:'. */
  file: string;
}

/**
 * `sqlite:<path>` (relative paths are taken from the data dir) or empty for the default
 * `<dataDir>/lns.sqlite`. PostgreSQL is the documented path beyond one machine; its
 * migrations are not written yet, so it is refused with a clear message rather than
 * half-working.
 */
export function parseDatabaseUrl(url: string, dataDir: string): SqliteTarget {
  if (!url) return { kind: 'sqlite', file: join(dataDir, 'lns.sqlite') };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!rest) throw new Error('database.url: sqlite: needs a file path, e.g. sqlite:./data/lns.sqlite');
    if (rest === ':memory:') return { kind: 'sqlite', file: rest };
    return { kind: 'sqlite', file: isAbsolute(rest) ? rest : join(dataDir, rest) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('database.url: PostgreSQL is not supported yet; use sqlite:<file>');
  }
  throw new Error(`database.url: unknown scheme in "${url}"`);
}
