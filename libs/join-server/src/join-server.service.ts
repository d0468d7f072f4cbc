import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { MType } from '@lns/lorawan';
import { KeyCipher } from '@lns/storage';
import {
  defaultDevNoncePolicy,
  DevNoncePolicy,
  isDevNoncePolicy,
  isJsMacVersion,
  isLoRaWAN11,
  JoinNonceState,
  JsDevice,
  JsDeviceView,
  JsMacVersion,
  keyContext,
  toJsDeviceView,
  JS_MAC_VERSIONS,
  DEV_NONCE_POLICIES,
} from './device/js-device';
import { JsDeviceRepository } from './device/js-device.repository';
import { JoinServerError } from './errors';
import { changeDevNoncePolicy, flushDevNonces } from './join/dev-nonce';
import { JoinAnswer, joinFailure, JoinRequest, JoinResultCode } from './join/join-request';
import {
  decodeRequestFrame,
  JoinDevice,
  JoinProcessing,
  processJoinRequest,
  processRejoinRequest,
  RootKeys,
} from './join/process-join';

const EUI = /^[0-9a-f]{16}$/;

/** Root keys of a device as an operator or a manufacturer record gives them. */
export interface DeviceKeysInput {
  devEui: string;
  joinEui: string;
  macVersion: JsMacVersion;
  /** 16 bytes, or 32 hex digits. */
  appKey: Buffer | string;
  /** LoRaWAN 1.1 only (required there). */
  nwkKey?: Buffer | string;
}

/**
 * The embedded join server (LoRaWAN 1.0.x/1.1 §6.2, Backend Interfaces JoinReq/RejoinReq semantics).
 * Devices live in memory (loaded at start) with their root keys still sealed, so a join-request costs no
 * database read; each answered join writes its nonce state (compare-and-set on the JoinNonce) before the
 * answer is returned, so a join-accept never leaves with a JoinNonce that is not on disk. Calls for one
 * device run one at a time. Keys are never logged.
 */
@Injectable()
export class JoinServerService implements OnModuleInit {
  private readonly devices = new Map<string, JsDevice>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly logger = new Logger('JoinServer');
  /** Answers since start, by request kind and TS002 result code (for metrics). */
  readonly answerCounts: Record<'join' | 'rejoin', Partial<Record<JoinResultCode, number>>> = {
    join: {},
    rejoin: {},
  };

  constructor(
    private readonly repo: JsDeviceRepository,
    private readonly cipher: KeyCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const d of await this.repo.loadAll()) this.devices.set(d.devEui, d);
    this.logger.log(`${this.devices.size} join-server devices loaded`);
  }

  /** The device without its keys, or undefined. */
  getDevice(devEui: string): JsDeviceView | undefined {
    const d = this.devices.get(normalizeEui(devEui));
    return d && toJsDeviceView(d);
  }

  hasDevice(devEui: string): boolean {
    return this.devices.has(normalizeEui(devEui));
  }

  /**
   * Creates the device or replaces its root keys, JoinEUI and version. The nonce state survives a key
   * change (a JoinNonce never repeats for a device); a new JoinEUI opens a new DevNonce and RJcount1 space
   * (L104 §6.2.5: DevNonce is never reused "for a given JoinEUI"), so their history is dropped. A policy
   * the operator chose is kept; the version's default follows a version change.
   */
  async upsertDeviceKeys(input: DeviceKeysInput): Promise<{ created: boolean }> {
    const devEui = requireEui(input.devEui, 'devEui');
    const joinEui = requireEui(input.joinEui, 'joinEui');
    if (!isJsMacVersion(input.macVersion)) {
      throw new JoinServerError(
        'BAD_FIELD',
        `macVersion must be one of ${JS_MAC_VERSIONS.join(', ')}`,
        'macVersion',
      );
    }
    const macVersion = input.macVersion;
    const appKey = requireKey(input.appKey, 'appKey');
    let nwkKey: Buffer | undefined;
    if (isLoRaWAN11(macVersion)) {
      if (input.nwkKey === undefined) {
        throw new JoinServerError('BAD_FIELD', 'nwkKey is required for a LoRaWAN 1.1 device', 'nwkKey');
      }
      nwkKey = requireKey(input.nwkKey, 'nwkKey');
    } else if (input.nwkKey !== undefined) {
      throw new JoinServerError(
        'BAD_FIELD',
        `nwkKey: a LoRaWAN ${macVersion} device has only an AppKey`,
        'nwkKey',
      );
    }
    return this.serialize(devEui, async () => {
      const now = new Date();
      const appKeySealed = this.cipher.encrypt(appKey, keyContext.appKey(devEui));
      const nwkKeySealed = nwkKey ? this.cipher.encrypt(nwkKey, keyContext.nwkKey(devEui)) : null;
      const existing = this.devices.get(devEui);
      if (!existing) {
        const device: JsDevice = {
          devEui,
          joinEui,
          macVersion,
          appKeySealed,
          nwkKeySealed,
          devNoncePolicy: defaultDevNoncePolicy(macVersion),
          lastDevNonce: null,
          usedDevNonces: [],
          lastJoinNonce: 0,
          rjCount1Last: null,
          sessionKeyId: null,
          appSKeySealed: null,
          owner: null,
          ownerTokenSealed: null,
          claimedAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await this.repo.insert(device);
        this.devices.set(devEui, device);
        return { created: true };
      }
      let state: JoinNonceState = existing;
      if (joinEui !== existing.joinEui) state = { ...flushDevNonces(state), rjCount1Last: null };
      const operatorChose = existing.devNoncePolicy !== defaultDevNoncePolicy(existing.macVersion);
      if (!operatorChose) state = changeDevNoncePolicy(state, defaultDevNoncePolicy(macVersion));
      const updated: JsDevice = {
        ...existing,
        ...pickNonceState(state),
        joinEui,
        macVersion,
        appKeySealed,
        nwkKeySealed,
        updatedAt: now,
      };
      await this.repo.saveFields(updated, [
        'joinEui',
        'macVersion',
        'appKeySealed',
        'nwkKeySealed',
        'devNoncePolicy',
        'lastDevNonce',
        'usedDevNonces',
        'rjCount1Last',
      ]);
      this.devices.set(devEui, updated);
      return { created: false };
    });
  }

  /**
   * Serves devices another part of this process wrote to the database (a manufacturer import stores
   * thousands in one transaction): they join from now on, without a restart. Rows already served are
   * left as they are (their state in memory is the newer).
   */
  async loadDevices(devEuis: readonly string[]): Promise<number> {
    let loaded = 0;
    for (const d of await this.repo.findMany(devEuis)) {
      if (this.devices.has(d.devEui)) continue;
      this.devices.set(d.devEui, d);
      loaded++;
    }
    return loaded;
  }

  /** Forgets the device and its keys; false when it was not there. */
  async deleteDevice(devEui: string): Promise<boolean> {
    const eui = normalizeEui(devEui);
    return this.serialize(eui, async () => {
      const deleted = await this.repo.delete(eui);
      this.devices.delete(eui);
      return deleted;
    });
  }

  /**
   * Forgets the device's last session (its SessionKeyID and sealed AppSKey, kept for AppSKeyReq): a
   * released device's next owner must never be handed its previous owner's AppSKey. Runs after any join
   * of the device already under way, so a session answered just before the release is forgotten too.
   * False when the device is not known.
   */
  async forgetSession(devEui: string): Promise<boolean> {
    const eui = normalizeEui(devEui);
    return this.serialize(eui, async () => {
      const device = this.devices.get(eui);
      if (!device) return false;
      const updated: JsDevice = { ...device, sessionKeyId: null, appSKeySealed: null, updatedAt: new Date() };
      await this.repo.saveFields(updated, ['sessionKeyId', 'appSKeySealed']);
      this.devices.set(eui, updated);
      return true;
    });
  }

  /** Lets the device use any DevNonce again (the way out of "DevNonce already used" lock-outs). */
  async flushDevNonces(devEui: string): Promise<JsDeviceView> {
    return this.updateNonceState(devEui, (s) => flushDevNonces(s));
  }

  async setDevNoncePolicy(devEui: string, policy: DevNoncePolicy): Promise<JsDeviceView> {
    if (!isDevNoncePolicy(policy)) {
      throw new JoinServerError(
        'BAD_FIELD',
        `policy must be one of ${DEV_NONCE_POLICIES.join(', ')}`,
        'policy',
      );
    }
    return this.updateNonceState(devEui, (s) => changeDevNoncePolicy(s, policy));
  }

  /** A Join-request (TS002 JoinReq) → JoinAns. Never throws on bad input: the answer says what is wrong. */
  async handleJoinRequest(req: JoinRequest): Promise<JoinAnswer> {
    return this.count('join', await this.answerJoinRequest(req));
  }

  private async answerJoinRequest(req: JoinRequest): Promise<JoinAnswer> {
    const devEui = typeof req?.devEui === 'string' ? req.devEui.toLowerCase() : '';
    if (!EUI.test(devEui)) return joinFailure('MalformedRequest', 'DevEUI: expected 16 hex digits');
    const request = { ...req, devEui };
    const frame = decodeRequestFrame(request, MType.JoinRequest);
    if ('result' in frame) return frame;
    return this.answer(request, (device, root, sessionKeyId) =>
      processJoinRequest(device, root, frame, request, sessionKeyId),
    );
  }

  /** A Rejoin-request of a 1.1 device (TS002 RejoinReq) → RejoinAns; types 0/2 arrive MIC-verified by the NS. */
  async handleRejoinRequest(req: JoinRequest): Promise<JoinAnswer> {
    return this.count('rejoin', await this.answerRejoinRequest(req));
  }

  private async answerRejoinRequest(req: JoinRequest): Promise<JoinAnswer> {
    const devEui = typeof req?.devEui === 'string' ? req.devEui.toLowerCase() : '';
    if (!EUI.test(devEui)) return joinFailure('MalformedRequest', 'DevEUI: expected 16 hex digits');
    const request = { ...req, devEui };
    const frame = decodeRequestFrame(request, MType.RejoinRequest);
    if ('result' in frame) return frame;
    return this.answer(request, (device, root, sessionKeyId) =>
      processRejoinRequest(device, root, frame, request, sessionKeyId),
    );
  }

  private count(kind: 'join' | 'rejoin', answer: JoinAnswer): JoinAnswer {
    const byResult = this.answerCounts[kind];
    byResult[answer.result] = (byResult[answer.result] ?? 0) + 1;
    return answer;
  }

  private async answer(
    req: JoinRequest,
    decide: (device: JoinDevice, root: RootKeys, sessionKeyId: string) => JoinProcessing,
  ): Promise<JoinAnswer> {
    return this.serialize(req.devEui, async () => {
      let device = this.devices.get(req.devEui);
      // Two tries: the second after another instance sharing the database answered this device first.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!device) {
          return joinFailure('UnknownDevEUI', `DevEUI ${req.devEui} is not known to this join server`);
        }
        const root = this.openRootKeys(device);
        if (!root) return joinFailure('Other', 'the root keys of this device cannot be opened');
        let outcome: JoinProcessing;
        try {
          outcome = decide(toJoinDevice(device), root, randomBytes(16).toString('hex'));
        } finally {
          root.appKey.fill(0);
          root.nwkKey?.fill(0);
        }
        if (!outcome.ok) {
          this.logger.debug(`${req.devEui}: ${outcome.answer.result}: ${outcome.answer.description}`);
          return outcome.answer;
        }
        const { answer } = outcome;
        const updated: JsDevice = {
          ...device,
          ...pickNonceState(outcome.state),
          sessionKeyId: answer.sessionKeyId,
          appSKeySealed: this.cipher.encrypt(
            outcome.appSKey,
            keyContext.appSKey(device.devEui, answer.sessionKeyId),
          ),
          updatedAt: new Date(),
        };
        let written: boolean;
        try {
          written = await this.repo.saveJoinState(updated, device.lastJoinNonce);
        } catch (e) {
          this.logger.error(`${req.devEui}: join state not stored, no join-accept: ${errorText(e)}`);
          return joinFailure('Other', 'the join state could not be stored');
        }
        if (written) {
          this.devices.set(device.devEui, updated);
          this.logger.debug(
            `${req.devEui}: join-accept, JoinNonce ${answer.joinNonce}, DevNonce/RJcount ${answer.devNonce}, OptNeg ${answer.optNeg}`,
          );
          return answer;
        }
        device = await this.repo.findOne(req.devEui);
        if (device) this.devices.set(device.devEui, device);
        else this.devices.delete(req.devEui);
      }
      return joinFailure('Other', 'concurrent join-requests for this device; try again');
    });
  }

  private openRootKeys(d: JsDevice): RootKeys | undefined {
    try {
      return {
        appKey: this.cipher.decrypt(d.appKeySealed, keyContext.appKey(d.devEui)),
        nwkKey: d.nwkKeySealed ? this.cipher.decrypt(d.nwkKeySealed, keyContext.nwkKey(d.devEui)) : undefined,
      };
    } catch {
      // A master key change or a tampered row: say so without any key material.
      this.logger.error(`${d.devEui}: root keys do not open under the master key`);
      return undefined;
    }
  }

  private async updateNonceState(
    devEui: string,
    change: (s: JoinNonceState) => JoinNonceState,
  ): Promise<JsDeviceView> {
    const eui = normalizeEui(devEui);
    return this.serialize(eui, async () => {
      const device = this.devices.get(eui);
      if (!device) {
        throw new JoinServerError(
          'UNKNOWN_DEVICE',
          `DevEUI ${eui} is not known to the join server`,
          'devEui',
        );
      }
      const updated: JsDevice = { ...device, ...pickNonceState(change(device)), updatedAt: new Date() };
      await this.repo.saveFields(updated, ['devNoncePolicy', 'lastDevNonce', 'usedDevNonces']);
      this.devices.set(eui, updated);
      return toJsDeviceView(updated);
    });
  }

  /** Runs `fn` after every earlier call for this device has settled. */
  private serialize<T>(devEui: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(devEui) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(devEui, tail);
    void tail.then(() => {
      if (this.queues.get(devEui) === tail) this.queues.delete(devEui);
    });
    return run;
  }
}

function toJoinDevice(d: JsDevice): JoinDevice {
  return { devEui: d.devEui, joinEui: d.joinEui, macVersion: d.macVersion, state: pickNonceState(d) };
}

function pickNonceState(s: JoinNonceState): JoinNonceState {
  return {
    devNoncePolicy: s.devNoncePolicy,
    lastDevNonce: s.lastDevNonce,
    usedDevNonces: s.usedDevNonces,
    lastJoinNonce: s.lastJoinNonce,
    rjCount1Last: s.rjCount1Last,
  };
}

function normalizeEui(v: string): string {
  return typeof v === 'string' ? v.toLowerCase() : '';
}

function requireEui(v: unknown, field: string): string {
  const eui = typeof v === 'string' ? v.toLowerCase() : '';
  if (!EUI.test(eui)) throw new JoinServerError('BAD_FIELD', `${field} must be 16 hex digits`, field);
  return eui;
}

function requireKey(v: unknown, field: string): Buffer {
  if (Buffer.isBuffer(v) && v.length === 16) return Buffer.from(v);
  if (typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v)) return Buffer.from(v, 'hex');
  throw new JoinServerError('BAD_FIELD', `${field} must be 16 bytes (32 hex digits)`, field);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
