/** The application named does not exist. */
export class ApplicationNotFoundError extends Error {
  constructor(readonly applicationId: string) {
    super(`application ${applicationId} does not exist`);
    this.name = 'ApplicationNotFoundError';
  }
}

/** The application has no token with this id. */
export class ApiTokenNotFoundError extends Error {
  constructor(
    readonly applicationId: string,
    readonly tokenId: string,
  ) {
    super(`application ${applicationId} has no token ${tokenId}`);
    this.name = 'ApiTokenNotFoundError';
  }
}
