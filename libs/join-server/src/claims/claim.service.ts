import { randomBytes } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { KeyCipher } from '@lns/storage';
import { AsKeyService } from '../as-keys/as-key.service';
import { JsMacVersion, keyContext } from '../device/js-device';
import { JoinServerService } from '../join-server.service';
import { ManufacturerRecordEntity } from '../manufacturer/manufacturer-record.entity';
import { ManufacturerRecordRepository } from '../manufacturer/manufacturer-record.repository';
import { OwnerTokenComparer } from '../manufacturer/owner-token';
import { ClaimKekLabelError, ClaimRefusedError, ClaimThrottledError } from './claim-errors';
import { DeviceOwnershipRegistry } from './device-ownership';
import { FailureThrottle } from './failure-throttle';

/** Refused claims tolerated per client address and per DevEUI within CLAIM_FAILURE_WINDOW_MS. */
export const CLAIM_MAX_FAILURES = 5;
export const CLAIM_FAILURE_WINDOW_MS = 60_000;

/** What a claimant presents (`POST /api/js/claims`). EUIs and the NetID in any case. */
export interface ClaimInput {
  devEui: string;
  ownerToken: string;
  /** The claimant's name for itself, kept with the claim. */
  owner?: string;
  /** NetID (6 hex digits) of the network server allowed to ask for this device's joins. */
  homeNetId?: string;
  /**
   * Label of the AS key (POST /api/js/as-keys) the AppSKey is to be wrapped under; must be one of this join
   * server's, not revoked. An in-process claim (apps/lns provisioning its own end-to-end application from
   * a QR code) may name its application's ASTK instead, which its own join path holds.
   */
  kekLabel?: string;
}

/** A successful claim: the device, as its new owner needs it to provision it. */
export interface ClaimResult {
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  profileId: string;
  serialNumber: string | null;
  owner: string | null;
  homeNetId: string | null;
  kekLabel: string | null;
  claimedAt: Date;
}

/**
 * What `release` did: `released`; `unclaimed` (nobody's claim to release); `claimed-elsewhere` (the claim
 * names another home NetID than the releasing network's: the device moved on, the claim is not its to
 * release); `no-record` (no manufacturer record: an operator's device, which its remover deletes instead).
 */
export type ReleaseOutcome = 'released' | 'unclaimed' | 'claimed-elsewhere' | 'no-record';

interface Undo {
  before: ManufacturerRecordEntity;
  claimSerial: number;
}

/**
 * Claims (`POST /api/js/claims`): whoever presents a device's DevEUI with its owner token becomes its
 * owner, and the token is used up. Every refusal is the same ClaimRefusedError after the same work (both
 * rows read, a sealed token opened, two HMACs compared in constant time), so neither the answer nor its
 * time tells an unknown DevEUI from a wrong or used token. Refusals are counted per client address and
 * per DevEUI: the sixth within a minute is a ClaimThrottledError, before any token is looked at.
 */
@Injectable()
export class ClaimService {
  private readonly logger = new Logger('JoinServer');
  private readonly comparer = new OwnerTokenComparer();
  private readonly throttle = new FailureThrottle({
    maxFailures: CLAIM_MAX_FAILURES,
    windowMs: CLAIM_FAILURE_WINDOW_MS,
  });
  /** Opened in place of a token when the device has none, so that path costs the same. */
  private readonly decoy: { sealed: Buffer; context: string };
  private readonly undos = new WeakMap<ClaimResult, Undo>();

  constructor(
    private readonly repo: ManufacturerRecordRepository,
    private readonly cipher: KeyCipher,
    private readonly ownerships: DeviceOwnershipRegistry,
    // Optional for a composition without AS keys (unit tests of other libs): then no label is one here.
    @Optional() private readonly asKeys?: AsKeyService,
    // The join server whose in-memory copy of a released device forgets its session (after a join under way).
    @Optional() private readonly js?: JoinServerService,
  ) {
    const context = keyContext.ownerToken('decoy');
    this.decoy = { sealed: cipher.encrypt(randomBytes(15), context), context };
  }

  /**
   * `client` is the caller's address (per-client throttling); an in-process caller that is no remote
   * client passes undefined. Throws ClaimKekLabelError, ClaimThrottledError or ClaimRefusedError.
   */
  async claim(input: ClaimInput, client?: string): Promise<ClaimResult> {
    if (input.kekLabel !== undefined) this.checkKekLabel(input.kekLabel, client !== undefined);
    const devEui = input.devEui.toLowerCase();
    const keys = [`dev:${devEui}`, ...(client !== undefined ? [`ip:${client}`] : [])];
    const wait = Math.max(...keys.map((k) => this.throttle.retryAfterMs(k)));
    if (wait > 0) throw new ClaimThrottledError(Math.ceil(wait / 1000));

    const stored = await this.repo.find(devEui);
    const token = this.openToken(devEui, stored?.record.ownerToken ?? null);
    const matches = this.comparer.matches(devEui, input.ownerToken, token);
    const claimedAt = new Date();
    const claim = {
      owner: input.owner ?? null,
      homeNetId: input.homeNetId?.toLowerCase() ?? null,
      kekLabel: input.kekLabel ?? null,
      claimedAt,
    };
    // The write is conditional on the token read: of two claims racing with one token, one wins.
    const won =
      matches && stored ? await this.repo.consumeToken(devEui, stored.record.tokenSerial, claim) : false;
    if (!won || !stored) {
      for (const k of keys) this.throttle.recordFailure(k);
      this.logger.debug(`claim of ${devEui} refused${client ? ` (client ${client})` : ''}`);
      throw new ClaimRefusedError();
    }
    const { record, device } = stored;
    const claimed: ManufacturerRecordEntity = {
      ...record,
      ...claim,
      ownerToken: null,
      tokenSerial: record.tokenSerial + 1,
      updatedAt: claimedAt,
    };
    this.ownerships.remember(claimed);
    this.logger.log(
      `${devEui} claimed${claim.owner ? ` by ${claim.owner}` : ''}${claim.homeNetId ? `, home NetID ${claim.homeNetId}` : ''}`,
    );
    const result: ClaimResult = {
      devEui,
      joinEui: device.joinEui,
      macVersion: device.macVersion as JsMacVersion,
      profileId: record.profileId,
      serialNumber: record.serialNumber,
      ...claim,
    };
    this.undos.set(result, { before: record, claimSerial: claimed.tokenSerial });
    return result;
  }

  /**
   * Undoes a claim this process made, when what it was made for failed (QR provisioning could not create
   * the device): the device is as before and the same owner token claims it again. False when the record
   * changed since (a new token was issued); the claim then stands.
   */
  async revert(result: ClaimResult): Promise<boolean> {
    const undo = this.undos.get(result);
    if (!undo) return false;
    this.undos.delete(result);
    const restored = await this.repo.restore(undo.before, undo.claimSerial);
    if (restored) {
      this.ownerships.remember({ ...undo.before, tokenSerial: undo.claimSerial + 1 });
      this.logger.log(`${result.devEui}: claim undone`);
    }
    return restored;
  }

  /**
   * Releases the device from its owner (the owner deleted it, as The Things Join Server "unclaims"): the
   * claim (owner, home NetID, AS key label, time) is cleared and the manufacturer record stays, with its
   * root keys and nonce state (a JoinNonce never repeats for the device, nor a DevNonce for its JoinEUI).
   * Until it is claimed again the device joins nowhere (ClaimedJoinPermission). The owner token is not
   * touched: a used token stays used, so whoever kept the label cannot claim the device back from its next
   * owner; the manufacturer issues the next owner's token (POST /api/js/devices/{devEui}/owner-token). A
   * token issued since the claim (a device sold on) stays valid. With `homeNetId`, only a claim for that
   * home network is released. The device's last session is forgotten with the claim (its SessionKeyID and
   * AppSKey, which AppSKeyReq answers): a next owner never receives the previous owner's AppSKey.
   */
  async release(devEui: string, opts: { homeNetId?: string } = {}): Promise<ReleaseOutcome> {
    const eui = devEui.toLowerCase();
    const home = opts.homeNetId?.toLowerCase();
    // Two tries: the second after a concurrent claim, new token or undo changed the record.
    for (let attempt = 0; attempt < 2; attempt++) {
      const record = await this.repo.findRecord(eui);
      if (!record) return 'no-record';
      if (record.claimedAt === null) return 'unclaimed';
      if (home !== undefined && record.homeNetId !== home) {
        this.logger.warn(
          `${eui}: not released: claimed for home NetID ${record.homeNetId?.toUpperCase() ?? '(none)'}, not ${home.toUpperCase()}`,
        );
        return 'claimed-elsewhere';
      }
      const now = new Date();
      if (await this.repo.releaseClaim(eui, record.tokenSerial, now)) {
        this.ownerships.remember({
          ...record,
          owner: null,
          homeNetId: null,
          kekLabel: null,
          claimedAt: null,
          tokenSerial: record.tokenSerial + 1,
          updatedAt: now,
        });
        // The release wrote the session away with the claim; a join answered meanwhile is forgotten here.
        await this.js?.forgetSession(eui);
        this.logger.log(`${eui} released${record.owner ? ` (claimed by ${record.owner})` : ''}`);
        return 'released';
      }
    }
    throw new Error(`${eui}: the record kept changing while its claim was released`);
  }

  /**
   * A claim's key must be one this join server can wrap the AppSKey under; a remote claimant can only mean
   * one of its AS keys. Checked before the token: a refused label leaves the token unused.
   */
  private checkKekLabel(kekLabel: string, remote: boolean): void {
    if (this.asKeys?.usable(kekLabel)) return;
    if (this.asKeys?.knows(kekLabel)) {
      throw new ClaimKekLabelError('is a revoked AS key of this join server: name a key in use');
    }
    if (remote) {
      throw new ClaimKekLabelError(
        "is not an AS key of this join server: register the application server's public key with POST /api/js/as-keys and name the kekLabel it answers",
      );
    }
  }

  /** The stored token in clear, or undefined; the decoy is opened when there is none. */
  private openToken(devEui: string, sealed: Buffer | null): string | undefined {
    try {
      if (sealed) return this.cipher.decrypt(sealed, keyContext.ownerToken(devEui)).toString('utf8');
      this.cipher.decrypt(this.decoy.sealed, this.decoy.context);
    } catch {
      this.logger.error(`${devEui}: owner token does not open under the master key`);
    }
    return undefined;
  }
}
