import { CsvError, detectSeparator, parseCsv } from './csv';

const cells = (text: string) => {
  const t = parseCsv(text);
  return [t.header, ...t.rows].map((r) => [r.line, r.cells]);
};

describe('parseCsv', () => {
  it('reads a comma-separated file with LF or CRLF line ends', () => {
    expect(cells('a,b\n1,2\n')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
    expect(cells('a,b\r\n1,2\r\n3,4')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['3', '4']],
    ]);
  });

  it("tells ';' from ',' by the header row (The Things Stack writes ';')", () => {
    const t = parseCsv('dev_eui;join_eui;name\n01;02;"Smith, J."\n');
    expect(t.separator).toBe(';');
    expect(t.rows[0].cells).toEqual(['01', '02', 'Smith, J.']);
    expect(detectSeparator('"a;b;c",d,e')).toBe(',');
  });

  it('reads quoted fields: separators, doubled quotes, line breaks (the row keeps its first line)', () => {
    const t = parseCsv('a,b,c\n"x,y","say ""hi""","two\nlines"\nlast,1,2\n');
    expect(t.rows).toEqual([
      { line: 2, cells: ['x,y', 'say "hi"', 'two\nlines'] },
      { line: 4, cells: ['last', '1', '2'] },
    ]);
  });

  it('trims unquoted cells, keeps quoted ones, allows blanks around quotes', () => {
    expect(parseCsv('a,b,c\n  1 , " 2 " ,3\t\n').rows[0].cells).toEqual(['1', ' 2 ', '3']);
  });

  it('skips a byte order mark and blank lines, keeps empty cells, counts lines', () => {
    const t = parseCsv('\ufeffa,b\n\n1,\n\n,2\n');
    expect(t.header.cells).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      { line: 3, cells: ['1', ''] },
      { line: 5, cells: ['', '2'] },
    ]);
  });

  it('keeps a row of one quoted empty cell (it is not a blank line)', () => {
    expect(parseCsv('a\n""\n').rows).toEqual([{ line: 2, cells: [''] }]);
  });

  it.each([
    ['an unterminated quote', 'a,b\n1,"open\n', 2],
    ['text after a closing quote', 'a,b\n1,"x"y\n', 2],
    ['no header', '\n\n', 1],
    ['nothing', '', 1],
  ])('refuses %s with its line', (_name, text, line) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    try {
      parseCsv(text);
    } catch (e) {
      expect((e as CsvError).line).toBe(line);
    }
  });
});
