/**
 * The one refusal of a claim, whatever the reason: unknown DevEUI, wrong token, token already used, or a
 * device not claimable. Telling them apart would tell a guesser which DevEUIs exist. HTTP 403.
 */
export class ClaimRefusedError extends Error {
  constructor() {
    super('the DevEUI and owner token do not match a device that can be claimed');
    this.name = 'ClaimRefusedError';
  }
}

/**
 * The claim names a `kekLabel` that is no AS key of this join server, or a revoked one: HTTP 400 naming
 * `kekLabel`. Checked before the owner token is looked at, so it tells nothing about the device, and the
 * token is not used up by a claim whose AppSKey could never leave.
 */
export class ClaimKekLabelError extends Error {
  constructor(readonly reason: string) {
    super(`kekLabel: ${reason}`);
    this.name = 'ClaimKekLabelError';
  }
}

/** Too many refused claims from this client or for this DevEUI: HTTP 429 with Retry-After. */
export class ClaimThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many refused claims; try again in ${retryAfterSeconds} s`);
    this.name = 'ClaimThrottledError';
  }
}
