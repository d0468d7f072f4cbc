/** One wrong field and why; the REST layer returns these as `fields` (CONTRACT.md "Errors"). */
export interface RegistryFieldError {
  field: string;
  reason: string;
}

/** Base of the registry's typed errors: each names the fields it is about. */
export abstract class RegistryError extends Error {
  constructor(readonly fields: RegistryFieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.reason}`).join('; '));
    this.name = new.target.name;
  }
}

/** The input breaks a rule (cross-field, unknown reference): HTTP 400. */
export class RegistryValidationError extends RegistryError {}

/** The input clashes with what exists (duplicate DevEUI, profile still in use): HTTP 409. */
export class RegistryConflictError extends RegistryError {}

/** The thing addressed does not exist: HTTP 404. */
export class RegistryNotFoundError extends RegistryError {}

/** A collaborator the request needs is not running in this process (e.g. the local join server): HTTP 503. */
export class RegistryUnavailableError extends RegistryError {}

export function invalid(field: string, reason: string): RegistryValidationError {
  return new RegistryValidationError([{ field, reason }]);
}
