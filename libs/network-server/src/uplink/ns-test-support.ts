/**
 * Test support for the network server's uplink, session, queue and downlink specs (not exported by
 * index.ts): device contexts, sessions, gateway copies, fakes of the store and the MAC layer.
 */
import { LnsConfig } from '@lns/config';
import { ApplicationEvent, ApplicationEventMap, ApplicationEventType, EventBus } from '@lns/event-bus';
import { UplinkReceived } from '@lns/gateway-bridge';
import {
  computeUplinkMic10,
  computeUplinkMic11,
  encodePhyPayload,
  encryptFOpts,
  encryptFrmPayload,
  getRegion,
  MacCommand,
  MType,
  Region,
} from '@lns/lorawan';
import { ApplicationEntity, DeviceEntity, DeviceProfileEntity, MacVersion } from '@lns/storage';
import { MacLayer, MacUplinkContext, MacUplinkResult } from '../mac/mac-layer';
import { MacState } from '../mac/mac-state';
import { DeviceContext, DeviceRegistry } from '../registry/device-registry';
import { DeviceSession } from '../session/device-session';
import { fCntDownCommitted, fCntDownToCommit } from '../session/fcnt-down-reservation';
import { SessionChange } from '../session/in-memory-session-store';
import { SessionStore } from '../session/session-store';
import { QueueItem } from '../queue/queue-item';

export const KEY_F = Buffer.from('1122334455667788990011223344aaaa', 'hex');
export const KEY_S = Buffer.from('1122334455667788990011223344bbbb', 'hex');
export const KEY_E = Buffer.from('1122334455667788990011223344cccc', 'hex');
export const NWK_S_KEY = Buffer.from('44024241ed4ce9a68c6a8bc055233fd3', 'hex');
export const APP_S_KEY = Buffer.from('ec925802ae430ca77fd3dd73cb2cc588', 'hex');

export function contextFor(
  opts: {
    devEui?: string;
    region?: string;
    macVersion?: MacVersion;
    endToEnd?: boolean;
    supportsClassC?: boolean;
    adrEnabled?: boolean;
  } = {},
): DeviceContext {
  const region = getRegion(opts.region ?? 'EU868');
  const device = Object.assign(new DeviceEntity(), {
    devEui: opts.devEui ?? '0102030405060708',
    joinEui: null,
    name: 'dev',
    description: '',
    applicationId: 'app-1',
    deviceProfileId: 'prof-1',
    activation: 'ABP',
    joinServer: null,
    tags: { site: 'a' },
    createdAt: new Date(0),
  });
  const profile = Object.assign(new DeviceProfileEntity(), {
    id: 'prof-1',
    name: 'profile',
    region: region.name,
    macVersion: opts.macVersion ?? '1.0.3',
    regParamsRevision: null,
    supportsClassC: opts.supportsClassC ?? false,
    adrEnabled: opts.adrEnabled ?? true,
    rx1Delay: 1,
    rx1DrOffset: 0,
    rx2DataRate: null,
    rx2Frequency: null,
    subBand: null,
    createdAt: new Date(0),
  });
  const application = Object.assign(new ApplicationEntity(), {
    id: 'app-1',
    name: 'app',
    endToEnd: opts.endToEnd ?? false,
    createdAt: new Date(0),
  });
  return { device, profile, application, region };
}

export function macStateFor(region: Region, overrides: Partial<MacState> = {}): MacState {
  return {
    dataRate: region.maxAdrDataRate,
    txPower: 0,
    nbTrans: 1,
    enabledChannels: region.defaultChannels.map((_, i) => i),
    extraChannels: {},
    rx1DrOffset: 0,
    rx2DataRate: region.rx2.dataRate,
    rx2Frequency: region.rx2.frequency,
    rxDelay: 1,
    maxDutyCycle: 0,
    uplinkDwellTime: region.bootDwellTime.uplink,
    downlinkDwellTime: region.bootDwellTime.downlink,
    uplinkHistory: [],
    pending: [],
    rejections: {},
    answers: [],
    deviceClass: 'A',
    ...overrides,
  };
}

export function sessionFor(ctx: DeviceContext, overrides: Partial<DeviceSession> = {}): DeviceSession {
  const lw11 = ctx.profile.macVersion === '1.1.0';
  return {
    devEui: ctx.device.devEui,
    devAddr: 0x26011bda,
    macVersion: ctx.profile.macVersion,
    applicationId: ctx.application.id,
    deviceProfileId: ctx.profile.id,
    fNwkSIntKey: lw11 ? KEY_F : NWK_S_KEY,
    sNwkSIntKey: lw11 ? KEY_S : NWK_S_KEY,
    nwkSEncKey: lw11 ? KEY_E : NWK_S_KEY,
    ...(ctx.application.endToEnd ? {} : { appSKey: APP_S_KEY }),
    fCntUp: 0,
    nFCntDown: 0,
    aFCntDown: 0,
    mac: macStateFor(ctx.region),
    activatedAt: 0,
    ...overrides,
  };
}

/** One gateway's copy of a LoRa uplink. */
export function copyOf(
  phyPayload: Buffer,
  opts: {
    gatewayId?: string;
    snr?: number;
    rssi?: number;
    frequency?: number;
    spreadingFactor?: number;
    bandwidth?: number;
    tmst?: number;
    receivedAt?: number;
  } = {},
): UplinkReceived {
  return {
    phyPayload,
    rx: {
      gatewayId: opts.gatewayId ?? 'aa555a0000000001',
      tmst: opts.tmst ?? 1_000_000,
      frequency: opts.frequency ?? 868_100_000,
      channel: 0,
      rfChain: 0,
      crcStatus: 'CRC_OK',
      rssi: opts.rssi ?? -80,
      snr: opts.snr ?? 5,
      size: phyPayload.length,
    },
    tx: {
      modulation: 'LORA',
      spreadingFactor: opts.spreadingFactor ?? 7,
      bandwidth: opts.bandwidth ?? 125_000,
      codeRate: '4/5',
    },
    receivedAt: opts.receivedAt ?? Date.now(),
  };
}

/** A SessionStore in memory that records commits; `failNext` makes the next commit fail. */
export class FakeSessionStore extends SessionStore {
  readonly sessions = new Map<string, DeviceSession>();
  readonly dirty = new Set<DeviceSession>();
  /** Snapshots of the counters at each commit: (devEui, fCntUp, nFCntDown, aFCntDown). */
  readonly commits: Array<[string, number, number, number]> = [];
  failNext = false;

  byDevAddr(devAddr: number): readonly DeviceSession[] {
    return [...this.sessions.values()].filter((s) => s.devAddr === devAddr);
  }
  byDevEui(devEui: string): DeviceSession | undefined {
    return this.sessions.get(devEui);
  }
  async activate(session: DeviceSession): Promise<void> {
    this.sessions.set(session.devEui, session);
  }
  async remove(devEui: string): Promise<void> {
    this.sessions.delete(devEui);
  }
  markDirty(session: DeviceSession): void {
    this.dirty.add(session);
  }
  /** The `urgent` flag of each flushBeforePublish call. */
  readonly urgentFlushes: boolean[] = [];
  /** When set, commits wait for it (a write in flight). */
  gate: Promise<void> | undefined;
  async flushBeforePublish(urgent = false): Promise<void> {
    this.urgentFlushes.push(urgent);
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    // As InMemorySessionStore.writeBatch: the downlink counters one ahead where reserved.
    for (const s of this.dirty) {
      const fCntDown = fCntDownToCommit(s);
      this.commits.push([s.devEui, s.fCntUp, ...fCntDown]);
      fCntDownCommitted(s, fCntDown);
    }
    this.dirty.clear();
  }
  size(): number {
    return this.sessions.size;
  }
  devAddrInUse(devAddr: number): boolean {
    return this.byDevAddr(devAddr).length > 0;
  }
  /** InMemorySessionStore's change listeners (the queue subscribes). */
  onChange(listener: (change: SessionChange) => void): void {
    this.listeners.push(listener);
  }
  readonly listeners: Array<(change: SessionChange) => void> = [];
}

/** DeviceQueueRepository in memory, with a log of the writes. */
export class FakeQueueRepository {
  readonly log: string[] = [];
  loaded: QueueItem[] = [];
  async loadAll(): Promise<QueueItem[]> {
    return this.loaded;
  }
  async insert(item: QueueItem): Promise<void> {
    this.log.push(`insert ${item.id}`);
  }
  async updateSent(item: QueueItem): Promise<void> {
    this.log.push(`sent ${item.id} ${item.attempts} ${item.fCntDown}`);
  }
  async resetCounters(devEui: string): Promise<void> {
    this.log.push(`reset ${devEui}`);
  }
  async delete(ids: readonly string[]): Promise<void> {
    this.log.push(`delete ${ids.join()}`);
  }
  async deleteDevice(devEui: string): Promise<void> {
    this.log.push(`flush ${devEui}`);
  }
}

/** A MacLayer that hands out the commands it is given and records what it saw. */
export class FakeMacLayer implements MacLayer {
  readonly seen: MacCommand[][] = [];
  /** Commands the next downlinks get, up to maxBytes. */
  downlink: MacCommand[] = [];
  result: MacUplinkResult = { effects: [], needsDownlink: false };
  readonly asked: number[] = [];

  handleUplink(_state: MacState, commands: MacCommand[], _ctx: MacUplinkContext): MacUplinkResult {
    this.seen.push(commands);
    return this.result;
  }
  nextDownlinkCommands(_state: MacState, _ctx: MacUplinkContext, maxBytes: number): MacCommand[] {
    this.asked.push(maxBytes);
    const out = this.downlink;
    this.downlink = [];
    return out;
  }
  initialState(region: Region): MacState {
    return macStateFor(region);
  }
}

/** A DeviceRegistry over a map of contexts. */
export class FakeRegistry extends DeviceRegistry {
  readonly contexts = new Map<string, DeviceContext>();
  constructor(...ctxs: DeviceContext[]) {
    super();
    for (const c of ctxs) this.contexts.set(c.device.devEui, c);
  }
  get(devEui: string): DeviceContext | undefined {
    return this.contexts.get(devEui);
  }
  getByJoin(_joinEui: string, devEui: string): DeviceContext | undefined {
    return this.contexts.get(devEui);
  }
  application(id: string): ApplicationEntity | undefined {
    return [...this.contexts.values()].find((c) => c.application.id === id)?.application;
  }
  profile(id: string): DeviceProfileEntity | undefined {
    return [...this.contexts.values()].find((c) => c.profile.id === id)?.profile;
  }
}

/** The application events emitted on a bus, by type. */
export function recordEvents(bus: EventBus): ApplicationEvent[] {
  const out: ApplicationEvent[] = [];
  bus.on('application.event', (e) => void out.push(e));
  return out;
}

export function payloadsOf<T extends ApplicationEventType>(
  events: ApplicationEvent[],
  type: T,
): ApplicationEventMap[T][] {
  return events.filter((e) => e.type === type).map((e) => e.payload as ApplicationEventMap[T]);
}

/** LnsConfig with the defaults the network server reads. */
export function configWith(
  over: { maxRetries?: number; ackTimeoutMs?: number; windowMs?: number } = {},
): LnsConfig {
  return {
    dedup: { windowMs: over.windowMs ?? 200, cooldownMs: 1000 },
    downlink: { maxRetries: over.maxRetries ?? 8, classC: { ackTimeoutMs: over.ackTimeoutMs ?? 5000 } },
    netId: '000000',
  } as LnsConfig;
}

/**
 * A data uplink of `s` as its device would sign it: FRMPayload under AppSKey (FPort 0: NwkSEncKey),
 * 1.1 FOpts encrypted, the MIC of the session's version (1.1: TxDr 5, TxCh `txCh`, EU868 868.3 MHz = 1).
 */
export function signedUplink(
  s: DeviceSession,
  fCnt: number,
  opts: {
    fPort?: number;
    payload?: Buffer;
    fOpts?: Buffer;
    confirmed?: boolean;
    ack?: boolean;
    adrAckReq?: boolean;
    confFCnt?: number;
    txCh?: number;
  } = {},
): Buffer {
  const lw11 = s.macVersion === '1.1.0';
  let fOpts = opts.fOpts ?? Buffer.alloc(0);
  if (lw11 && fOpts.length > 0) {
    fOpts = encryptFOpts({ nwkSEncKey: s.nwkSEncKey, counter: 'FCntUp', devAddr: s.devAddr, fCnt, fOpts });
  }
  const fPort = opts.fPort;
  const key = fPort === 0 ? s.nwkSEncKey : (s.appSKey ?? APP_S_KEY);
  const frmPayload =
    fPort === undefined
      ? undefined
      : encryptFrmPayload({
          key,
          uplink: true,
          devAddr: s.devAddr,
          fCnt,
          payload: opts.payload ?? Buffer.alloc(0),
        });
  const unsigned = encodePhyPayload({
    mType: opts.confirmed ? MType.ConfirmedDataUp : MType.UnconfirmedDataUp,
    devAddr: s.devAddr,
    fCtrl: {
      adr: true,
      adrAckReq: opts.adrAckReq ?? false,
      ack: opts.ack ?? false,
      classB: false,
      fOptsLen: fOpts.length,
    },
    fCnt: fCnt & 0xffff,
    fOpts,
    fPort,
    frmPayload,
    mic: Buffer.alloc(4),
  });
  const msg = unsigned.subarray(0, unsigned.length - 4);
  const mic = lw11
    ? computeUplinkMic11({
        fNwkSIntKey: s.fNwkSIntKey,
        sNwkSIntKey: s.sNwkSIntKey,
        devAddr: s.devAddr,
        fCnt,
        msg,
        txDr: 5,
        txCh: opts.txCh ?? 1,
        confFCnt: opts.confFCnt,
      })
    : computeUplinkMic10({ nwkSKey: s.fNwkSIntKey, devAddr: s.devAddr, fCnt, msg });
  mic.copy(unsigned, unsigned.length - 4);
  return unsigned;
}
