import { RecordProblem } from './manufacturer-record';

/** Why a manufacturer call was refused; callers switch on `code`, never on text. */
export type ManufacturerErrorCode =
  /** Records (or the body) break a rule: nothing was imported. HTTP 400. */
  | 'INVALID_RECORDS'
  /** DevEUIs the join server already holds: nothing was imported. HTTP 409. */
  | 'DUPLICATE_RECORDS'
  /** No manufacturer record for this DevEUI. HTTP 404. */
  | 'UNKNOWN_RECORD'
  /** The device was claimed and its owner token used: a new one must be issued first. HTTP 409. */
  | 'TOKEN_USED'
  /** The body is neither JSON nor CSV. HTTP 415. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The body is over the import limit. HTTP 413. */
  | 'BODY_TOO_LARGE';

/** A problem without a line (a path parameter, the body as a whole) has none. */
export type ManufacturerProblem = Omit<RecordProblem, 'line'> & { line?: number };

export class ManufacturerError extends Error {
  constructor(
    readonly code: ManufacturerErrorCode,
    message: string,
    readonly problems: ManufacturerProblem[],
  ) {
    super(message);
    this.name = 'ManufacturerError';
  }
}
