import { Abstract, Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { KeyCipher } from '@lns/storage';
import { keyContext } from '../device/js-device';
import { JsDeviceRepository } from '../device/js-device.repository';
import { JoinRequest, KeyWrapping } from '../join/join-request';
import { JoinServerService } from '../join-server.service';
import { BackendInterfacesPeer, BackendInterfacesPeers, CallerCredentials } from './backend-interfaces-peers';
import { writeJoinAnsSession, readJoinReq } from './join-messages';
import { sealKeyEnvelope } from './key-envelope';
import {
  AppSKeyKek,
  AppSKeyKekResolver,
  chooseAppSKeyKek,
  HomeNetIdResolver,
  JoinPermission,
  OwnerAppSKeyKekResolver,
} from './owner-hooks';
import {
  answerTypeOf,
  PROTOCOL_VERSIONS,
  ResultCode,
  Ts002Answer,
  Ts002AppSKeyAns,
  Ts002HomeNSAns,
  Ts002JoinAns,
} from './ts002';
import { isJsonObject, readHex, toHex, Ts002FieldError } from './ts002-fields';
import { answerHeader, readHeader, Ts002Header } from './ts002-header';

/** Message types a join server answers (TS002 §23 Messages and Payloads: activation, AppSKey, home network). */
const SERVED = ['JoinReq', 'RejoinReq', 'AppSKeyReq', 'HomeNSReq'] as const;

/**
 * The join server's side of the LoRaWAN Backend Interfaces (TS002-1.0.0/1.1.0), synchronous: every
 * request gets its answer in the HTTP response. JoinReq/RejoinReq → JoinAns/RejoinAns through the
 * embedded join server (network session keys wrapped under the requesting network server's KEK, the
 * AppSKey under the AS key its owner's claim named, or the application's ASTK: chooseAppSKeyKek), AppSKeyReq → AppSKeyAns from the sealed AppSKey of
 * the session named, HomeNSReq → HomeNSAns. Never throws on input: the answer's Result says what is wrong.
 */
@Injectable()
export class BackendInterfacesService {
  private readonly logger = new Logger('BackendInterfaces');
  private readonly found = new Map<Abstract<unknown>, unknown>();

  constructor(
    private readonly joinServer: JoinServerService,
    private readonly devices: JsDeviceRepository,
    private readonly cipher: KeyCipher,
    private readonly peers: BackendInterfacesPeers,
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async handle(body: unknown, creds: CallerCredentials): Promise<Ts002Answer> {
    let h: Ts002Header;
    try {
      h = readHeader(body);
    } catch (e) {
      if (!(e instanceof Ts002FieldError)) throw e;
      return this.refuse(bestEffortHeader(body), 'MalformedRequest', e.message);
    }
    if (!(PROTOCOL_VERSIONS as readonly string[]).includes(h.protocolVersion)) {
      return this.refuse(
        h,
        'InvalidProtocolVersion',
        `ProtocolVersion ${h.protocolVersion}: 1.0 and 1.1 are served`,
      );
    }
    const peer = this.peers.authenticate(h.senderId, creds);
    if (!peer) {
      return this.refuse(
        h,
        'UnknownSender',
        `SenderID ${h.senderId} is not an authenticated peer of this join server`,
      );
    }
    const b = body as Record<string, unknown>;
    try {
      switch (h.messageType) {
        case 'JoinReq':
          return await this.join(h, b, peer, 'join');
        case 'RejoinReq':
          return await this.join(h, b, peer, 'rejoin');
        case 'AppSKeyReq':
          return await this.appSKey(h, b, peer);
        case 'HomeNSReq':
          return this.homeNs(h, b);
        default: {
          const known = answerTypeOf(h.messageType) !== undefined;
          return this.refuse(
            h,
            known ? 'Other' : 'MalformedRequest',
            known
              ? `MessageType ${h.messageType} is not served by a join server (${SERVED.join(', ')} are)`
              : `MessageType ${h.messageType} is not a Backend Interfaces request`,
          );
        }
      }
    } catch (e) {
      if (e instanceof Ts002FieldError) return this.refuse(h, 'MalformedRequest', e.message);
      this.logger.error(
        `${h.messageType} ${h.transactionId} from ${h.senderId}: ${e instanceof Error ? e.stack : String(e)}`,
      );
      return this.refuse(h, 'Other', 'internal error');
    }
  }

  private async join(
    h: Ts002Header,
    body: Record<string, unknown>,
    peer: BackendInterfacesPeer,
    kind: 'join' | 'rejoin',
  ): Promise<Ts002JoinAns> {
    const ansType = kind === 'join' ? 'JoinAns' : 'RejoinAns';
    const req: JoinRequest = readJoinReq(body, h.senderId);
    // Checked before any key is touched: a device joins only through the network its owner chose.
    const refusal = this.find(JoinPermission)?.refusalFor(req.devEui, h.senderId);
    if (refusal) return this.refuse(h, 'ActivationDisallowed', refusal, ansType);
    const appKek = this.appSKeyKek(req.devEui);
    if (appKek.kind === 'unavailable') return this.refuse(h, 'Other', appKek.reason, ansType);
    // The AppSKey goes to the application's KEK when it has one, else to the network server's (TS002 §22).
    const appSKeyWrapping: KeyWrapping | undefined = appKek.kind === 'wrap' ? appKek.wrapping : peer.kek;
    const request = { ...req, ...(appSKeyWrapping ? { appSKeyWrapping } : {}) };
    const answer =
      kind === 'join'
        ? await this.joinServer.handleJoinRequest(request)
        : await this.joinServer.handleRejoinRequest(request);
    if (answer.result !== 'Success') {
      this.logger.debug(
        `${h.messageType} ${h.transactionId} for ${req.devEui}: ${answer.result}: ${answer.description}`,
      );
      return this.refuse(h, answer.result, answer.description, ansType);
    }
    this.logger.debug(`${h.messageType} ${h.transactionId} for ${req.devEui}: Success`);
    return { ...answerHeader(h, ansType, 'Success'), ...writeJoinAnsSession(answer, peer.kek) };
  }

  /**
   * AppSKeyReq → AppSKeyAns (TS002 §6.x, messages §23): the AppSKey of the session the JoinAns named by its
   * SessionKeyID. The same owner rule as JoinReq (JoinPermission): a manufacturer's device answers only
   * once claimed and only the NetID its claim named, so after a release and a new claim nobody outside the
   * new owner's network asks; the previous owner's session is gone with the release (ClaimService.release).
   */
  private async appSKey(
    h: Ts002Header,
    body: Record<string, unknown>,
    peer: BackendInterfacesPeer,
  ): Promise<Ts002AppSKeyAns> {
    const devEui = toHex(readHex(body, 'DevEUI', [8]));
    const sessionKeyId = toHex(readHex(body, 'SessionKeyID'));
    const base = { DevEUI: devEui, SessionKeyID: sessionKeyId };
    // Checked before any key is read. `Other`: ActivationDisallowed is JoinAns's, and the device is known.
    const refusal = this.find(JoinPermission)?.refusalFor(devEui, h.senderId);
    if (refusal) return { ...this.refuse(h, 'Other', refusal), ...base };
    const device = await this.devices.findOne(devEui);
    if (!device) {
      return {
        ...this.refuse(h, 'UnknownDevEUI', `DevEUI ${devEui} is not known to this join server`),
        ...base,
      };
    }
    if (device.sessionKeyId !== sessionKeyId || !device.appSKeySealed) {
      return {
        ...this.refuse(h, 'Other', `SessionKeyID ${sessionKeyId} is not the device's current session`),
        ...base,
      };
    }
    const appKek = this.appSKeyKek(devEui);
    if (appKek.kind === 'unavailable') return { ...this.refuse(h, 'Other', appKek.reason), ...base };
    let appSKey: Buffer;
    try {
      appSKey = this.cipher.decrypt(device.appSKeySealed, keyContext.appSKey(devEui, sessionKeyId));
    } catch {
      this.logger.error(`${devEui}: the session's AppSKey does not open under the master key`);
      return { ...this.refuse(h, 'Other', 'the AppSKey of this session cannot be opened'), ...base };
    }
    try {
      const envelope = sealKeyEnvelope(appSKey, appKek.kind === 'wrap' ? appKek.wrapping : peer.kek);
      return { ...answerHeader(h, 'AppSKeyAns', 'Success'), ...base, AppSKey: envelope };
    } finally {
      appSKey.fill(0);
    }
  }

  /** HomeNSReq → HomeNSAns: the NetID of the device's home network (HNetID). */
  private homeNs(h: Ts002Header, body: Record<string, unknown>): Ts002HomeNSAns {
    const devEui = toHex(readHex(body, 'DevEUI', [8]));
    if (!this.joinServer.hasDevice(devEui)) {
      return this.refuse(h, 'UnknownDevEUI', `DevEUI ${devEui} is not known to this join server`);
    }
    const home = this.find(HomeNetIdResolver)?.homeNetIdOf(devEui) ?? this.config.netId;
    return { ...answerHeader(h, 'HomeNSAns', 'Success'), HNetID: home.toLowerCase() };
  }

  /** The claim's AS key first, then the application's (apps/lns), else the peer's KEK (chooseAppSKeyKek). */
  private appSKeyKek(devEui: string): AppSKeyKek {
    return chooseAppSKeyKek(devEui, this.find(OwnerAppSKeyKekResolver), this.find(AppSKeyKekResolver));
  }

  private refuse(h: Ts002Header, code: ResultCode, description: string, messageType?: string): Ts002Answer {
    return answerHeader(h, messageType ?? answerTypeOf(h.messageType) ?? h.messageType, code, description);
  }

  /** Optional seams provided elsewhere in the application (apps/lns: the network server's registry). */
  private find<T>(token: Abstract<T>): T | undefined {
    if (this.found.has(token)) return this.found.get(token) as T | undefined;
    let v: T | undefined;
    try {
      v = this.moduleRef.get<T>(token, { strict: false });
    } catch {
      v = undefined;
    }
    this.found.set(token, v);
    return v;
  }
}

/** The common fields of a message too broken to read, as far as they can be told, for its answer. */
function bestEffortHeader(body: unknown): Ts002Header {
  const b = isJsonObject(body) ? body : {};
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v.slice(0, 256) : d);
  const tid = b.TransactionID;
  return {
    protocolVersion: str(b.ProtocolVersion, '1.0'),
    senderId: str(b.SenderID, ''),
    receiverId: str(b.ReceiverID, ''),
    transactionId:
      typeof tid === 'number' && Number.isInteger(tid) && tid >= 0 && tid <= 0xffff_ffff ? tid : 0,
    messageType: str(b.MessageType, ''),
  };
}
