import { RegistryFieldError } from '../registry-errors';

/** What the network server asks of a device's join server when it claims it. */
export interface ClaimRequest {
  devEui: string;
  ownerToken: string;
  /** How this network server names itself to the join server. */
  owner: string;
  /** Our NetID: the network server the join server will let ask for the device's joins. */
  homeNetId: string;
  /** End-to-end applications: the label of the application's ASTK, for the AppSKey. */
  kekLabel?: string;
}

/** A claimed device as its join server describes it. */
export interface ClaimedDevice {
  devEui: string;
  joinEui: string;
  /** As the join server has it: 1.0.0 … 1.1.0. */
  macVersion: string;
}

export interface DeviceClaim {
  /** 'local', or the external join server's id. */
  joinServer: string;
  device: ClaimedDevice;
  /** Gives the device back when provisioning fails after the claim; false when it cannot (external). */
  undo(): Promise<boolean>;
}

/**
 * The join server throttles our claims (too many refused): HTTP 429, with the seconds to wait. Not a
 * RegistryError, so that the registry's filter (400 for unknown kinds) never answers it.
 */
export class ClaimThrottledByJoinServer extends Error {
  readonly fields: RegistryFieldError[];

  constructor(readonly retryAfterSeconds: number) {
    const reason = `the join server refuses further claims for now (too many refused); retry after ${retryAfterSeconds} s`;
    super(`qr: ${reason}`);
    this.name = 'ClaimThrottledByJoinServer';
    this.fields = [{ field: 'qr', reason }];
  }
}

/** One reason for every refusal, as the join server gives one answer for them all. */
export const CLAIM_REFUSED_REASON =
  'the join server refused the claim: the owner token is wrong or used, or the device is not known there';
