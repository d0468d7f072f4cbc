/**
 * CSV as spreadsheets and The Things Stack write it (RFC 4180 plus what real files hold): `,` or `;`
 * separated, told from the header row; fields in double quotes may hold separators, line breaks and
 * `""` for a quote; CRLF or LF; a UTF-8 byte order mark and blank lines are skipped; unquoted fields
 * are trimmed. One pass over the text, no regular expression per character.
 */

export interface CsvRow {
  /** 1-based line of the file where the row starts (the header is line 1 of a file without blank lines). */
  line: number;
  cells: string[];
}

export interface CsvTable {
  separator: ',' | ';';
  header: CsvRow;
  rows: CsvRow[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** The separator of the header line: the one of `;` and `,` it holds more of, outside quotes. */
export function detectSeparator(headerLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Throws CsvError (unterminated quote, text after a closing quote, no header). */
export function parseCsv(input: string): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const firstBreak = text.search(/\r?\n/);
  const separator = detectSeparator(firstBreak < 0 ? text : text.slice(0, firstBreak));
  const records: CsvRow[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let quotedSeen = false;
    // One record: cells until an unquoted line break or the end.
    for (;;) {
      let cell: string;
      // Leading blanks before an opening quote are allowed (`a, "b"`).
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '"') {
        quotedSeen = true;
        let k = j + 1;
        let value = '';
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) throw new CsvError(start, 'a quoted field is not closed');
          value += text.slice(k, q);
          if (text[q + 1] === '"') {
            value += '"';
            k = q + 2;
            continue;
          }
          k = q + 1;
          break;
        }
        for (const ch of text.slice(j + 1, k)) if (ch === '\n') line++;
        while (k < n && (text[k] === ' ' || text[k] === '\t')) k++;
        if (k < n && text[k] !== separator && text[k] !== '\r' && text[k] !== '\n') {
          throw new CsvError(line, 'text after a closing quote');
        }
        cell = value;
        i = k;
      } else {
        let k = i;
        while (k < n && text[k] !== separator && text[k] !== '\n' && text[k] !== '\r') k++;
        cell = text.slice(i, k).trim();
        i = k;
      }
      cells.push(cell);
      if (i < n && text[i] === separator) {
        i++;
        continue;
      }
      break;
    }
    // The line break ending the record.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = cells.length === 1 && cells[0] === '' && !quotedSeen;
    if (!blank) records.push({ line: start, cells });
  }
  const [header, ...rows] = records;
  if (!header) throw new CsvError(1, 'no header row');
  return { separator, header, rows };
}
