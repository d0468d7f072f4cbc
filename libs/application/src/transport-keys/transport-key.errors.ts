/** The application exists but is not end-to-end: it has no use for an ASTK. */
export class NotEndToEndError extends Error {
  constructor(readonly applicationId: string) {
    super(
      `application ${applicationId} is not end-to-end: transport keys are for endToEnd applications only`,
    );
    this.name = 'NotEndToEndError';
  }
}

/** The application has no transport key with this KEK label. */
export class TransportKeyNotFoundError extends Error {
  constructor(
    readonly applicationId: string,
    readonly kekLabel: string,
  ) {
    super(`application ${applicationId} has no transport key ${kekLabel}`);
    this.name = 'TransportKeyNotFoundError';
  }
}
