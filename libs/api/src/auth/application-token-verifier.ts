/** What a presented application token grants. */
export interface VerifiedApplicationToken {
  /** null: the token is the admin token after all (every application). */
  applicationId: string | null;
  readOnly: boolean;
  tokenId: string | null;
}

/**
 * The seam through which the REST guard checks tokens it does not know itself: provided by the
 * module that keeps application tokens (libs/application), absent in a process without them
 * (apps/join-server), where only the admin token opens the API. libs/api never imports the
 * provider: it finds it in the application by this class.
 */
export abstract class ApplicationTokenVerifier {
  /** The grant of `token`, or null when it is unknown or revoked. */
  abstract verify(token: string): Promise<VerifiedApplicationToken | null>;
}
