import { CsvError, parseCsv } from './csv';
import {
  checkRecord,
  fieldOfColumn,
  ManufacturerRecord,
  RECORD_FIELDS,
  RecordField,
  RecordProblem,
} from './manufacturer-record';

/** One import holds at most this many records (a 16 MiB body holds about 150 000 CSV rows). */
export const MAX_IMPORT_RECORDS = 50_000;

export interface LinedRecord {
  /** CSV: the file line; JSON: the 1-based position in the array. */
  line: number;
  record: ManufacturerRecord;
}

/** The records of an import body, or every problem found in it (the import is all or nothing). */
export interface ParsedImport {
  records: LinedRecord[];
  problems: RecordProblem[];
}

/** A JSON array of `{devEui, joinEui, appKey, nwkKey?, macVersion, profileId?, serialNumber?}`. */
export function recordsFromJson(body: unknown): ParsedImport {
  if (!Array.isArray(body)) {
    return fail(0, 'body', 'must be a JSON array of records (or text/csv)');
  }
  const tooMany = countProblem(body.length);
  if (tooMany) return tooMany;
  const out: ParsedImport = { records: [], problems: [] };
  body.forEach((item: unknown, i) => {
    const line = i + 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      out.problems.push({ line, field: 'record', reason: 'must be an object' });
      return;
    }
    for (const key of Object.keys(item)) {
      if (!(RECORD_FIELDS as readonly string[]).includes(key)) {
        out.problems.push({ line, field: key, reason: 'is not a record field' });
      }
    }
    collect(out, line, checkRecord(item as Partial<Record<RecordField, unknown>>, line));
  });
  return withDuplicates(out);
}

/**
 * CSV with a header row naming the columns (ours or The Things Stack's, see fieldOfColumn); unknown
 * columns are ignored, so a TTS export reads as it is.
 */
export function recordsFromCsv(text: string): ParsedImport {
  let table;
  try {
    table = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return fail(e.line, 'body', e.message);
    throw e;
  }
  const columns = table.header.cells.map(fieldOfColumn);
  const problems: RecordProblem[] = [];
  for (const required of ['devEui', 'joinEui', 'appKey', 'macVersion'] as const) {
    if (!columns.includes(required)) {
      problems.push({
        line: table.header.line,
        field: required,
        reason: 'no column for it in the header row',
      });
    }
  }
  columns.forEach((f, i) => {
    if (f !== undefined && columns.indexOf(f) !== i) {
      problems.push({ line: table.header.line, field: f, reason: `two columns for it (column ${i + 1})` });
    }
  });
  if (problems.length > 0) return { records: [], problems };
  const tooMany = countProblem(table.rows.length);
  if (tooMany) return tooMany;

  const out: ParsedImport = { records: [], problems: [] };
  for (const row of table.rows) {
    if (row.cells.length !== columns.length) {
      out.problems.push({
        line: row.line,
        field: 'row',
        reason: `has ${row.cells.length} cells, the header ${columns.length} (separator '${table.separator}')`,
      });
      continue;
    }
    const values: Partial<Record<RecordField, string>> = {};
    columns.forEach((f, i) => {
      if (f !== undefined) values[f] = row.cells[i];
    });
    collect(out, row.line, checkRecord(values, row.line));
  }
  return withDuplicates(out);
}

function collect(out: ParsedImport, line: number, r: ManufacturerRecord | RecordProblem[]): void {
  if (Array.isArray(r)) out.problems.push(...r);
  else out.records.push({ line, record: r });
}

/** A DevEUI given twice in one import: the later ones are problems, naming the first line. */
function withDuplicates(out: ParsedImport): ParsedImport {
  const first = new Map<string, number>();
  const records: LinedRecord[] = [];
  for (const r of out.records) {
    const seen = first.get(r.record.devEui);
    if (seen === undefined) {
      first.set(r.record.devEui, r.line);
      records.push(r);
    } else {
      out.problems.push({
        line: r.line,
        field: 'devEui',
        reason: `given twice in this import (first at ${seen})`,
      });
    }
  }
  out.problems.sort((a, b) => a.line - b.line);
  return { records, problems: out.problems };
}

function countProblem(count: number): ParsedImport | undefined {
  if (count === 0) return fail(0, 'body', 'holds no record');
  if (count > MAX_IMPORT_RECORDS) {
    return fail(0, 'body', `holds ${count} records; at most ${MAX_IMPORT_RECORDS} an import`);
  }
  return undefined;
}

function fail(line: number, field: string, reason: string): ParsedImport {
  return { records: [], problems: [{ line, field, reason }] };
}
