import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { LnsConfig } from '@lns/config';
import {
  computeRejoinRequestMic,
  deriveJoinServerKeys,
  encodePhyPayload,
  micInput,
  MType,
  unwrapKey,
} from '@lns/lorawan';
import { VirtualDevice } from '@lns/simulator';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import { JsDeviceEntity } from '../device/js-device.entity';
import { JsDeviceRepository } from '../device/js-device.repository';
import { JoinServerService } from '../join-server.service';
import { BackendInterfacesPeers, CallerCredentials } from './backend-interfaces-peers';
import { BackendInterfacesService } from './backend-interfaces.service';
import { ClaimedJoinPermission } from '../claims/claimed-join-permission';
import { DeviceOwnership, DeviceOwnershipRegistry } from '../claims/device-ownership';
import {
  AppSKeyKek,
  AppSKeyKekResolver,
  HomeNetIdResolver,
  JoinPermission,
  OwnerAppSKeyKekResolver,
} from './owner-hooks';

/** An answer read as the test reads JSON: every field an envelope, a string or a number. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON off the wire, asserted field by field
type Wire = Record<string, any>;

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const NWK_KEY = '000102030405060708090a0b0c0d0e0f';
const JOIN_EUI = '70b3d57ed0000001';
const DEV_EUI = '0004a30b001c0530';
const TOKEN = 'peer-token-0123456789';
const NS_KEK = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
const AUTH: CallerCredentials = { authorization: `Bearer ${TOKEN}`, clientCertificateVerified: false };

/**
 * A JoinReq exactly as ChirpStack v4's NS sends it (serde_json of `JoinReqPayload`: field order, lowercase
 * hex, no SenderToken, no CFList when empty): DevEUI 0004a30b001c0530 joins with DevNonce 0x0102 (1.0.4).
 */
const CHIRPSTACK_JOIN_REQ =
  '{"ProtocolVersion":"1.0","SenderID":"000013","ReceiverID":"70b3d57ed0000001","TransactionID":1734029581,' +
  '"MessageType":"JoinReq","MACVersion":"1.0.4","PHYPayload":"00010000d07ed5b37030051c000ba3040002014490ce9b",' +
  '"DevEUI":"0004a30b001c0530","DevAddr":"26011bda","DLSettings":"00","RxDelay":1}';

function device(macVersion: '1.0.3' | '1.0.4' | '1.1.0', devNonce: number, appKey = APP_KEY): VirtualDevice {
  return new VirtualDevice({
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    region: 'EU868',
    macVersion,
    seed: 1,
    devNonce,
    activation: { type: 'OTAA', appKey, nwkKey: NWK_KEY },
  });
}

function joinReqOf(d: VirtualDevice, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ProtocolVersion: '1.0',
    SenderID: '000013',
    ReceiverID: JOIN_EUI,
    TransactionID: 77,
    MessageType: 'JoinReq',
    MACVersion: d.macVersion,
    PHYPayload: d.joinRequest().phyPayload.toString('hex'),
    DevEUI: DEV_EUI,
    DevAddr: '26011bda',
    DLSettings: d.macVersion === '1.1.0' ? '80' : '00',
    RxDelay: 1,
    ...over,
  };
}

/** The header of the answer to `req` (JS → sender, same TransactionID). */
function answerOf(req: {
  ProtocolVersion: string;
  SenderID: string;
  ReceiverID: string;
  TransactionID: number;
}) {
  return {
    ProtocolVersion: req.ProtocolVersion,
    SenderID: req.ReceiverID,
    ReceiverID: req.SenderID,
    TransactionID: req.TransactionID,
    MessageType: 'AppSKeyAns',
  };
}

describe('BackendInterfacesService (TS002 join server side)', () => {
  let ds: DataSource;
  let repo: JsDeviceRepository;
  let js: JoinServerService;
  const cipher = new KeyCipher(randomBytes(32));
  let hooks: Map<unknown, unknown>;
  let peers: LnsConfig['backendInterfaces']['peers'];

  function service(): BackendInterfacesService {
    const config = {
      netId: '000013',
      http: { port: 0, host: '', tls: { certFile: '', keyFile: '', caFile: '' } },
      backendInterfaces: { peers },
    } as LnsConfig;
    const moduleRef = {
      get: (token: unknown) => {
        if (!hooks.has(token)) throw new Error('not provided');
        return hooks.get(token);
      },
    } as unknown as ModuleRef;
    return new BackendInterfacesService(
      js,
      repo,
      cipher,
      new BackendInterfacesPeers(config),
      config,
      moduleRef,
    );
  }

  async function provision(macVersion: '1.0.3' | '1.0.4' | '1.1.0'): Promise<void> {
    await js.upsertDeviceKeys({
      devEui: DEV_EUI,
      joinEui: JOIN_EUI,
      macVersion,
      appKey: APP_KEY,
      ...(macVersion === '1.1.0' ? { nwkKey: NWK_KEY } : {}),
    });
  }

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [JsDeviceEntity],
      migrations: MIGRATIONS,
    });
    await ds.initialize();
    await ds.runMigrations();
    repo = new JsDeviceRepository(ds.getRepository(JsDeviceEntity));
    js = new JoinServerService(repo, cipher);
    await js.onModuleInit();
    hooks = new Map();
    peers = [{ senderId: '000013', token: TOKEN }];
  });
  afterEach(async () => ds.destroy());

  describe('JoinReq', () => {
    it("answers ChirpStack's JoinReq with a JoinAns in ChirpStack's shape; the device accepts the join-accept", async () => {
      await provision('1.0.4');
      const d = device('1.0.4', 0x0102);
      expect(d.joinRequest().phyPayload.toString('hex')).toBe(
        '00010000d07ed5b37030051c000ba3040002014490ce9b',
      );
      const ans = (await service().handle(JSON.parse(CHIRPSTACK_JOIN_REQ), AUTH)) as Wire;
      expect(Object.keys(ans)).toEqual([
        'ProtocolVersion',
        'SenderID',
        'ReceiverID',
        'TransactionID',
        'MessageType',
        'Result',
        'PHYPayload',
        'NwkSKey',
        'AppSKey',
        'SessionKeyID',
      ]);
      expect(ans).toMatchObject({
        ProtocolVersion: '1.0',
        SenderID: '70b3d57ed0000001',
        ReceiverID: '000013',
        TransactionID: 1734029581,
        MessageType: 'JoinAns',
        Result: { ResultCode: 'Success' },
        PHYPayload: expect.stringMatching(/^[0-9a-f]{34}$/),
        NwkSKey: { KEKLabel: '', AESKey: expect.stringMatching(/^[0-9a-f]{32}$/) },
        AppSKey: { KEKLabel: '', AESKey: expect.stringMatching(/^[0-9a-f]{32}$/) },
        SessionKeyID: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(d.handleJoinAccept(Buffer.from(ans.PHYPayload, 'hex'))).toBe(true);
      expect(d.state().devAddr).toBe(0x26011bda);
      expect(d.state().netId).toBe(0x13);
      const keys = d.sessionKeys()!;
      expect(ans.NwkSKey.AESKey).toBe(keys.fNwkSIntKey.toString('hex'));
      expect(ans.AppSKey.AESKey).toBe(keys.appSKey.toString('hex'));
    });

    it('1.1 with OptNeg: the three network keys wrapped under the NS KEK, the AppSKey too', async () => {
      peers = [{ senderId: '000013', token: TOKEN, kekLabel: 'ns-000013', kek: NS_KEK.toString('hex') }];
      await provision('1.1.0');
      const d = device('1.1.0', 5);
      const ans = (await service().handle(joinReqOf(d), AUTH)) as Wire;
      expect(ans.Result).toEqual({ ResultCode: 'Success' });
      expect(ans.NwkSKey).toBeUndefined();
      expect(d.handleJoinAccept(Buffer.from(ans.PHYPayload, 'hex'))).toBe(true);
      const keys = d.sessionKeys()!;
      const open = (f: string) => unwrapKey({ kek: NS_KEK, wrapped: Buffer.from(ans[f].AESKey, 'hex') });
      for (const f of ['FNwkSIntKey', 'SNwkSIntKey', 'NwkSEncKey', 'AppSKey'])
        expect(ans[f].KEKLabel).toBe('ns-000013');
      expect(open('FNwkSIntKey')).toEqual(keys.fNwkSIntKey);
      expect(open('SNwkSIntKey')).toEqual(keys.sNwkSIntKey);
      expect(open('NwkSEncKey')).toEqual(keys.nwkSEncKey);
      expect(open('AppSKey')).toEqual(keys.appSKey);
    });

    it("an end-to-end device's AppSKey goes wrapped under its application's KEK, never the NS's", async () => {
      const astk = randomBytes(16);
      hooks.set(AppSKeyKekResolver, {
        appSKeyKekFor: (): AppSKeyKek => ({ kind: 'wrap', wrapping: { kekLabel: 'astk-9', kek: astk } }),
      });
      peers = [{ senderId: '000013', token: TOKEN, kekLabel: 'ns-000013', kek: NS_KEK.toString('hex') }];
      await provision('1.0.4');
      const d = device('1.0.4', 9);
      const ans = (await service().handle(joinReqOf(d), AUTH)) as Wire;
      expect(d.handleJoinAccept(Buffer.from(ans.PHYPayload, 'hex'))).toBe(true);
      expect(ans.AppSKey.KEKLabel).toBe('astk-9');
      expect(unwrapKey({ kek: astk, wrapped: Buffer.from(ans.AppSKey.AESKey, 'hex') })).toEqual(
        d.sessionKeys()!.appSKey,
      );
      expect(ans.NwkSKey.KEKLabel).toBe('ns-000013');
    });

    it("the AS key the owner's claim named goes first, in JoinAns and AppSKeyAns; revoked, nothing leaves", async () => {
      const asKey = randomBytes(16);
      let owner: AppSKeyKek = { kind: 'wrap', wrapping: { kekLabel: 'js-astk-1', kek: asKey } };
      hooks.set(OwnerAppSKeyKekResolver, {
        appSKeyKekFor: () => owner,
        namedKekLabel: () => 'js-astk-1',
      });
      hooks.set(AppSKeyKekResolver, {
        appSKeyKekFor: (): AppSKeyKek => ({ kind: 'wrap', wrapping: { kekLabel: 'astk-app', kek: NS_KEK } }),
      });
      peers = [{ senderId: '000013', token: TOKEN, kekLabel: 'ns-000013', kek: NS_KEK.toString('hex') }];
      await provision('1.0.4');
      const svc = service();
      const d = device('1.0.4', 1);
      const ans = (await svc.handle(joinReqOf(d), AUTH)) as Wire;
      expect(d.handleJoinAccept(Buffer.from(ans.PHYPayload, 'hex'))).toBe(true);
      expect(ans.AppSKey.KEKLabel).toBe('js-astk-1');
      expect(unwrapKey({ kek: asKey, wrapped: Buffer.from(ans.AppSKey.AESKey, 'hex') })).toEqual(
        d.sessionKeys()!.appSKey,
      );
      const appSKeyReq = {
        ProtocolVersion: '1.0',
        SenderID: '000013',
        ReceiverID: JOIN_EUI,
        TransactionID: 8,
        MessageType: 'AppSKeyReq',
        DevEUI: DEV_EUI,
        SessionKeyID: ans.SessionKeyID,
      };
      expect(((await svc.handle(appSKeyReq, AUTH)) as Wire).AppSKey.KEKLabel).toBe('js-astk-1');

      owner = { kind: 'unavailable', reason: 'AS key js-astk-1 was revoked' };
      const refused = (await svc.handle(joinReqOf(device('1.0.4', 2)), AUTH)) as Wire;
      expect(refused).toMatchObject({
        MessageType: 'JoinAns',
        Result: { ResultCode: 'Other', Description: 'AS key js-astk-1 was revoked' },
      });
      for (const f of ['PHYPayload', 'AppSKey', 'NwkSKey']) expect(refused).not.toHaveProperty(f);
      const noKey = (await svc.handle(appSKeyReq, AUTH)) as Wire;
      expect(noKey.Result).toEqual({ ResultCode: 'Other', Description: 'AS key js-astk-1 was revoked' });
      expect(noKey).not.toHaveProperty('AppSKey');
    });

    it('refuses (Other) when the AppSKey must be wrapped and no key is there, without using a nonce', async () => {
      hooks.set(AppSKeyKekResolver, {
        appSKeyKekFor: (): AppSKeyKek => ({ kind: 'unavailable', reason: 'no ASTK' }),
      });
      await provision('1.0.4');
      const ans = await service().handle(joinReqOf(device('1.0.4', 1)), AUTH);
      expect(ans).toMatchObject({
        MessageType: 'JoinAns',
        Result: { ResultCode: 'Other', Description: 'no ASTK' },
      });
      expect(js.getDevice(DEV_EUI)?.lastJoinNonce).toBe(0);
    });

    it('MICFailed, UnknownDevEUI and JoinReqFailed (replay) come back as TS002 ResultCodes', async () => {
      const svc = service();
      const unknown = await svc.handle(joinReqOf(device('1.0.4', 1)), AUTH);
      expect(unknown).toMatchObject({ MessageType: 'JoinAns', Result: { ResultCode: 'UnknownDevEUI' } });
      await provision('1.0.4');
      const wrongKey = await svc.handle(joinReqOf(device('1.0.4', 1, NWK_KEY)), AUTH);
      expect(wrongKey.Result).toEqual({
        ResultCode: 'MICFailed',
        Description: 'join-request MIC does not verify with the AppKey',
      });
      const body = joinReqOf(device('1.0.4', 1));
      expect((await svc.handle(body, AUTH)).Result.ResultCode).toBe('Success');
      expect((await svc.handle(body, AUTH)).Result).toMatchObject({
        ResultCode: 'JoinReqFailed',
        Description: expect.stringMatching(/^DevNonce not incremented/),
      });
    });

    it('MalformedRequest names the field', async () => {
      await provision('1.0.4');
      const svc = service();
      const d = device('1.0.4', 1);
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ DevEUI: 'xyz' }, /^DevEUI: /],
        [{ DevAddr: undefined }, /^DevAddr: missing/],
        [{ DLSettings: 'ffff' }, /^DLSettings: /],
        [{ PHYPayload: '0001' }, /^PHYPayload: /],
        [{ DevEUI: '0004a30b001c0531' }, /^DevEUI: 0004a30b001c0531 is not the frame's/],
        [{ SenderID: '000013', RxDelay: 99 }, /^RxDelay: /],
      ];
      for (const [over, description] of cases) {
        const ans = await svc.handle(joinReqOf(d, over), AUTH);
        expect(ans.Result.ResultCode).toBe('MalformedRequest');
        expect(ans.Result.Description).toMatch(description);
      }
      expect(js.getDevice(DEV_EUI)?.lastJoinNonce).toBe(0);
    });

    it('RejoinReq type 1 (LoRaWAN 1.1): RejoinAns with a join-accept under JSEncKey; a replayed RJcount1 is refused', async () => {
      await provision('1.1.0');
      const jsIntKey = deriveJoinServerKeys({
        nwkKey: Buffer.from(NWK_KEY, 'hex'),
        devEui: Buffer.from(DEV_EUI, 'hex'),
      }).jsIntKey;
      const phy = encodePhyPayload({
        mType: MType.RejoinRequest,
        rejoinType: 1,
        joinEui: Buffer.from(JOIN_EUI, 'hex'),
        devEui: Buffer.from(DEV_EUI, 'hex'),
        rjCount1: 4,
        mic: Buffer.alloc(4),
      });
      computeRejoinRequestMic({ key: jsIntKey, msg: micInput(phy) }).copy(phy, 20);
      const body = {
        ...joinReqOf(device('1.1.0', 1)),
        MessageType: 'RejoinReq',
        PHYPayload: phy.toString('hex'),
      };
      const svc = service();
      const ans = (await svc.handle(body, AUTH)) as Wire;
      expect(ans).toMatchObject({ MessageType: 'RejoinAns', Result: { ResultCode: 'Success' } });
      expect(Object.keys(ans)).toEqual(
        expect.arrayContaining(['FNwkSIntKey', 'SNwkSIntKey', 'NwkSEncKey', 'AppSKey']),
      );
      expect(ans.PHYPayload).toMatch(/^[0-9a-f]{34}$/);
      expect((await svc.handle(body, AUTH)).Result.ResultCode).toBe('JoinReqFailed');
    });

    it('RejoinReq of a 1.0.x device: JoinReqFailed (rejoin-requests are LoRaWAN 1.1 only)', async () => {
      await provision('1.0.4');
      const phy = encodePhyPayload({
        mType: MType.RejoinRequest,
        rejoinType: 0,
        netId: 0x13,
        devEui: Buffer.from(DEV_EUI, 'hex'),
        rjCount0: 1,
        mic: Buffer.alloc(4),
      });
      const ans = await service().handle(
        { ...joinReqOf(device('1.0.4', 1)), MessageType: 'RejoinReq', PHYPayload: phy.toString('hex') },
        AUTH,
      );
      expect(ans).toMatchObject({ MessageType: 'RejoinAns', Result: { ResultCode: 'JoinReqFailed' } });
    });
  });

  describe('authentication and framing', () => {
    it('refuses an unknown SenderID and a wrong token alike: UnknownSender, nothing joined', async () => {
      await provision('1.0.4');
      const svc = service();
      const body = joinReqOf(device('1.0.4', 1));
      const a = await svc.handle(body, { ...AUTH, authorization: 'Bearer wrong-token-0123456' });
      const b = await svc.handle({ ...body, SenderID: '000014' }, AUTH);
      const c = await svc.handle(body, { clientCertificateVerified: false });
      for (const ans of [a, b, c]) {
        expect(ans).toMatchObject({ MessageType: 'JoinAns', Result: { ResultCode: 'UnknownSender' } });
      }
      expect(js.getDevice(DEV_EUI)?.lastJoinNonce).toBe(0);
    });

    it('InvalidProtocolVersion for another version; MalformedRequest for a broken header, echoing what it can', async () => {
      const svc = service();
      expect(
        (await svc.handle({ ...joinReqOf(device('1.0.4', 1)), ProtocolVersion: '2.0' }, AUTH)).Result
          .ResultCode,
      ).toBe('InvalidProtocolVersion');
      const broken = await svc.handle(
        { ProtocolVersion: '1.0', SenderID: '000013', TransactionID: 5, MessageType: 'JoinReq' },
        AUTH,
      );
      expect(broken).toMatchObject({
        ProtocolVersion: '1.0',
        ReceiverID: '000013',
        TransactionID: 5,
        MessageType: 'JoinAns',
        Result: { ResultCode: 'MalformedRequest', Description: 'ReceiverID: expected a non-empty string' },
      });
      expect((await svc.handle('nonsense', AUTH)).Result.ResultCode).toBe('MalformedRequest');
    });

    it('other message types: Other for a known one a JS does not serve, MalformedRequest for an unknown one', async () => {
      const svc = service();
      const base = { ProtocolVersion: '1.0', SenderID: '000013', ReceiverID: JOIN_EUI, TransactionID: 1 };
      expect(await svc.handle({ ...base, MessageType: 'PRStartReq' }, AUTH)).toMatchObject({
        MessageType: 'PRStartAns',
        Result: { ResultCode: 'Other' },
      });
      expect((await svc.handle({ ...base, MessageType: 'Hello' }, AUTH)).Result.ResultCode).toBe(
        'MalformedRequest',
      );
    });
  });

  describe('AppSKeyReq and HomeNSReq', () => {
    it('AppSKeyAns: the AppSKey of the session named by SessionKeyID, wrapped for the requesting peer', async () => {
      peers = [
        { senderId: '000013', token: TOKEN },
        { senderId: 'as-1', token: TOKEN, kekLabel: 'as-1-kek', kek: NS_KEK.toString('hex') },
      ];
      await provision('1.0.4');
      const svc = service();
      const d = device('1.0.4', 1);
      const join = (await svc.handle(joinReqOf(d), AUTH)) as Wire;
      d.handleJoinAccept(Buffer.from(join.PHYPayload, 'hex'));
      const req = {
        ProtocolVersion: '1.0',
        SenderID: 'as-1',
        ReceiverID: JOIN_EUI,
        TransactionID: 9,
        MessageType: 'AppSKeyReq',
        DevEUI: DEV_EUI.toUpperCase(),
        SessionKeyID: join.SessionKeyID.toUpperCase(),
      };
      const ans = (await svc.handle(req, AUTH)) as Wire;
      expect(ans).toMatchObject({
        MessageType: 'AppSKeyAns',
        Result: { ResultCode: 'Success' },
        DevEUI: DEV_EUI,
        SessionKeyID: join.SessionKeyID,
        AppSKey: { KEKLabel: 'as-1-kek' },
      });
      expect(unwrapKey({ kek: NS_KEK, wrapped: Buffer.from(ans.AppSKey.AESKey, 'hex') })).toEqual(
        d.sessionKeys()!.appSKey,
      );

      const stale = await svc.handle({ ...req, SessionKeyID: 'ab'.repeat(16) }, AUTH);
      expect(stale).toMatchObject({
        MessageType: 'AppSKeyAns',
        Result: { ResultCode: 'Other' },
        DevEUI: DEV_EUI,
      });
      expect(stale).not.toHaveProperty('AppSKey');
      const unknown = await svc.handle({ ...req, DevEUI: '0000000000000001' }, AUTH);
      expect(unknown.Result.ResultCode).toBe('UnknownDevEUI');
    });

    it("AppSKeyReq obeys the owner's claim as JoinReq does: refused (Other, no key) unclaimed or to another NetID", async () => {
      peers = [
        { senderId: '000013', token: TOKEN },
        { senderId: 'c00053', token: TOKEN },
      ];
      await provision('1.0.4');
      // The real rule over a stand-in for the manufacturer record's claim.
      let ownership: DeviceOwnership | undefined = {
        devEui: DEV_EUI,
        claimed: true,
        owner: null,
        homeNetId: '000013',
        kekLabel: null,
        claimedAt: new Date(),
      };
      hooks.set(
        JoinPermission,
        new ClaimedJoinPermission({ ownershipOf: () => ownership } as unknown as DeviceOwnershipRegistry),
      );
      const svc = service();
      const join = (await svc.handle(joinReqOf(device('1.0.4', 1)), AUTH)) as Wire;
      expect(join.Result.ResultCode).toBe('Success');
      const req = (senderId: string) => ({
        ProtocolVersion: '1.0',
        SenderID: senderId,
        ReceiverID: JOIN_EUI,
        TransactionID: 10,
        MessageType: 'AppSKeyReq',
        DevEUI: DEV_EUI,
        SessionKeyID: join.SessionKeyID,
      });
      expect((await svc.handle(req('000013'), AUTH)).Result.ResultCode).toBe('Success');

      const otherNetwork = await svc.handle(req('C00053'), AUTH);
      expect(otherNetwork).toEqual({
        ...answerOf(req('C00053')),
        Result: { ResultCode: 'Other', Description: 'device claimed for NetID 000013, not C00053' },
        DevEUI: DEV_EUI,
        SessionKeyID: join.SessionKeyID,
      });
      ownership = { ...ownership!, claimed: false, homeNetId: null, claimedAt: null };
      const released = await svc.handle(req('000013'), AUTH);
      expect(released.Result).toEqual({
        ResultCode: 'Other',
        Description: expect.stringMatching(/not claimed/),
      });
      expect(released).not.toHaveProperty('AppSKey');
      // An operator's device (no manufacturer record) is any authenticated peer's, as for JoinReq.
      ownership = undefined;
      expect((await svc.handle(req('C00053'), AUTH)).Result.ResultCode).toBe('Success');
    });

    it("HomeNSAns: the configured NetID, or the device's home from the seam", async () => {
      await provision('1.0.4');
      const req = {
        ProtocolVersion: '1.0',
        SenderID: '000013',
        ReceiverID: JOIN_EUI,
        TransactionID: 3,
        MessageType: 'HomeNSReq',
        DevEUI: DEV_EUI,
      };
      expect(await service().handle(req, AUTH)).toEqual({
        ProtocolVersion: '1.0',
        SenderID: JOIN_EUI,
        ReceiverID: '000013',
        TransactionID: 3,
        MessageType: 'HomeNSAns',
        Result: { ResultCode: 'Success' },
        HNetID: '000013',
      });
      hooks.set(HomeNetIdResolver, { homeNetIdOf: () => 'C00053' });
      expect(await service().handle(req, AUTH)).toMatchObject({ HNetID: 'c00053' });
      expect((await service().handle({ ...req, DevEUI: '0000000000000001' }, AUTH)).Result.ResultCode).toBe(
        'UnknownDevEUI',
      );
    });
  });
});
