import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { computeJoinRequestMic, encodePhyPayload, micInput, MType } from '@lns/lorawan';
import { KeyCipher, MIGRATIONS } from '@lns/storage';
import { JsDeviceEntity } from './device/js-device.entity';
import { JsDeviceRepository } from './device/js-device.repository';
import { JoinServerError } from './errors';
import { JoinAnswer, JoinRequest } from './join/join-request';
import { JoinServerService } from './join-server.service';

const hex = (s: string) => Buffer.from(s, 'hex');
const APP_KEY = hex('2b7e151628aed2a6abf7158809cf4f3c');
const NWK_KEY = hex('000102030405060708090a0b0c0d0e0f');
const JOIN_EUI = '70b3d57ed0000001';
const DEV_EUI = '0004a30b001c0530';

function joinRequestPhy(key: Buffer, devNonce: number, devEui = DEV_EUI, joinEui = JOIN_EUI): Buffer {
  const phy = encodePhyPayload({
    mType: MType.JoinRequest,
    joinEui: hex(joinEui),
    devEui: hex(devEui),
    devNonce,
    mic: Buffer.alloc(4),
  });
  computeJoinRequestMic({ key, msg: micInput(phy) }).copy(phy, 19);
  return phy;
}

function req(phyPayload: Buffer, devEui = DEV_EUI): JoinRequest {
  return {
    phyPayload,
    macVersion: '1.0.4',
    devEui,
    devAddr: 0x00112233,
    dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 },
    rxDelay: 1,
    netId: 0,
  };
}

function joinNonceOf(a: JoinAnswer): number {
  if (a.result !== 'Success') throw new Error(`${a.result}: ${a.description}`);
  return a.joinNonce;
}

describe('JoinServerService (SQLite, migrations)', () => {
  let ds: DataSource;
  let repo: JsDeviceRepository;
  const cipher = new KeyCipher(randomBytes(32));

  async function started(c = cipher): Promise<JoinServerService> {
    const s = new JoinServerService(repo, c);
    await s.onModuleInit();
    return s;
  }

  const row = async (devEui = DEV_EUI) => ds.getRepository(JsDeviceEntity).findOneByOrFail({ devEui });

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
  });
  afterEach(async () => ds.destroy());

  describe('device keys', () => {
    it('creates a device with the policy its version asks for, keys sealed at rest', async () => {
      const js = await started();
      await expect(
        js.upsertDeviceKeys({
          devEui: DEV_EUI.toUpperCase(),
          joinEui: JOIN_EUI,
          macVersion: '1.0.3',
          appKey: APP_KEY,
        }),
      ).resolves.toEqual({ created: true });
      expect(js.getDevice(DEV_EUI)).toMatchObject({
        devEui: DEV_EUI,
        joinEui: JOIN_EUI,
        macVersion: '1.0.3',
        devNoncePolicy: 'set',
        lastJoinNonce: 0,
      });
      await js.upsertDeviceKeys({
        devEui: '0004a30b001c0531',
        joinEui: JOIN_EUI,
        macVersion: '1.1.0',
        appKey: APP_KEY.toString('hex'),
        nwkKey: NWK_KEY.toString('hex'),
      });
      expect(js.getDevice('0004a30b001c0531')?.devNoncePolicy).toBe('counter');
      const r = await row('0004a30b001c0531');
      expect(r.appKey.includes(APP_KEY)).toBe(false);
      expect(r.nwkKey?.includes(NWK_KEY)).toBe(false);
      expect(cipher.decrypt(r.nwkKey!, 'js:0004a30b001c0531:nwkKey')).toEqual(NWK_KEY);
      expect(JSON.stringify(js.getDevice('0004a30b001c0531'))).not.toMatch(/2b7e|0001020304/);
    });

    it('refuses bad input naming the field', async () => {
      const js = await started();
      const base = { devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4' as const, appKey: APP_KEY };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ devEui: 'xyz' }, 'devEui'],
        [{ joinEui: '0102' }, 'joinEui'],
        [{ macVersion: '1.2' }, 'macVersion'],
        [{ appKey: Buffer.alloc(15) }, 'appKey'],
        [{ appKey: 'zz'.repeat(16) }, 'appKey'],
        [{ nwkKey: NWK_KEY }, 'nwkKey'],
        [{ macVersion: '1.1.0' }, 'nwkKey'],
      ];
      for (const [over, field] of cases) {
        const err = await js.upsertDeviceKeys({ ...base, ...over } as never).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(JoinServerError);
        expect(err).toMatchObject({ code: 'BAD_FIELD', field });
      }
      expect(js.getDevice(DEV_EUI)).toBeUndefined();
    });

    it('keeps the JoinNonce across a key change; a new JoinEUI opens a new DevNonce space', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      expect(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 5))))).toBe(1);
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: NWK_KEY });
      expect(js.getDevice(DEV_EUI)).toMatchObject({ lastJoinNonce: 1, lastDevNonce: 5 });
      expect((await js.handleJoinRequest(req(joinRequestPhy(NWK_KEY, 5)))).result).toBe('JoinReqFailed');
      await js.upsertDeviceKeys({
        devEui: DEV_EUI,
        joinEui: '70b3d57ed0000002',
        macVersion: '1.0.4',
        appKey: NWK_KEY,
      });
      expect(js.getDevice(DEV_EUI)).toMatchObject({ lastJoinNonce: 1, lastDevNonce: null });
      const a = await js.handleJoinRequest(req(joinRequestPhy(NWK_KEY, 0, DEV_EUI, '70b3d57ed0000002')));
      expect(joinNonceOf(a)).toBe(2);
    });

    it("keeps an operator's policy through a version change; the default follows otherwise", async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.3', appKey: APP_KEY });
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      expect(js.getDevice(DEV_EUI)?.devNoncePolicy).toBe('counter');
      await js.setDevNoncePolicy(DEV_EUI, 'off');
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.3', appKey: APP_KEY });
      expect(js.getDevice(DEV_EUI)?.devNoncePolicy).toBe('off');
      expect((await row()).devNoncePolicy).toBe('off');
    });

    it('deletes a device: its join-requests are then UnknownDevEUI', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      await expect(js.deleteDevice(DEV_EUI)).resolves.toBe(true);
      await expect(js.deleteDevice(DEV_EUI)).resolves.toBe(false);
      const a = await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 1)));
      expect(a).toEqual({
        result: 'UnknownDevEUI',
        description: `DevEUI ${DEV_EUI} is not known to this join server`,
      });
      expect(await ds.getRepository(JsDeviceEntity).count()).toBe(0);
    });
  });

  describe('joins', () => {
    it('stores the JoinNonce before answering: the row holds it when the answer arrives', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      const a = await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0)));
      expect(joinNonceOf(a)).toBe(1);
      const r = await row();
      expect(r).toMatchObject({ lastJoinNonce: 1, lastDevNonce: 0 });
      // The session's AppSKey is kept sealed under its SessionKeyID for a later AppSKeyReq.
      if (a.result !== 'Success') throw new Error();
      expect(r.sessionKeyId).toBe(a.sessionKeyId);
      expect(cipher.decrypt(r.appSKey!, `js:${DEV_EUI}:appSKey:${a.sessionKeyId}`)).toEqual(a.keys.appSKey);
    });

    it('sends no join-accept when the state cannot be stored', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      jest.spyOn(repo, 'saveJoinState').mockRejectedValueOnce(new Error('disk full'));
      const a = await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0)));
      expect(a).toEqual({ result: 'Other', description: 'the join state could not be stored' });
      expect(js.getDevice(DEV_EUI)).toMatchObject({ lastJoinNonce: 0, lastDevNonce: null });
      expect(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0))))).toBe(1);
    });

    it('JoinNonce strictly increases across joins and restarts; replays stay refused after a restart', async () => {
      let js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.3', appKey: APP_KEY });
      const seen: number[] = [];
      for (const n of [900, 13, 40000])
        seen.push(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, n)))));
      js = await started();
      expect((await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 13)))).result).toBe('JoinReqFailed');
      seen.push(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 14)))));
      expect(seen).toEqual([1, 2, 3, 4]);
    });

    it('1.0.4 counter: DevNonce must increase; a flush lets a reset device in; off accepts replays', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 10)));
      const replay = await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 10)));
      expect(replay).toMatchObject({
        result: 'JoinReqFailed',
        description: expect.stringMatching(/^DevNonce not incremented/),
      });
      expect((await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 3)))).result).toBe('JoinReqFailed');
      await expect(js.flushDevNonces(DEV_EUI)).resolves.toMatchObject({
        lastDevNonce: null,
        usedDevNonceCount: 0,
      });
      expect((await row()).lastDevNonce).toBeNull();
      expect(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0))))).toBe(2);
      await js.setDevNoncePolicy(DEV_EUI, 'off');
      expect(joinNonceOf(await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0))))).toBe(3);
    });

    it('1.1 counter: the NwkKey signs; keys are returned in the 1.1 shape with OptNeg', async () => {
      const js = await started();
      await js.upsertDeviceKeys({
        devEui: DEV_EUI,
        joinEui: JOIN_EUI,
        macVersion: '1.1.0',
        appKey: APP_KEY,
        nwkKey: NWK_KEY,
      });
      const a = await js.handleJoinRequest({
        ...req(joinRequestPhy(NWK_KEY, 0)),
        macVersion: '1.1.0',
        dlSettings: { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 },
      });
      expect(a).toMatchObject({ result: 'Success', optNeg: true });
      expect(Object.keys(a.result === 'Success' ? a.keys : {}).sort()).toEqual([
        'appSKey',
        'fNwkSIntKey',
        'nwkSEncKey',
        'sNwkSIntKey',
      ]);
      const replay = await js.handleJoinRequest({ ...req(joinRequestPhy(NWK_KEY, 0)), macVersion: '1.1.0' });
      expect(replay.result).toBe('JoinReqFailed');
    });

    it('answers two copies of one join-request once (calls for a device run one at a time)', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.3', appKey: APP_KEY });
      const phy = joinRequestPhy(APP_KEY, 77);
      const answers = await Promise.all([js.handleJoinRequest(req(phy)), js.handleJoinRequest(req(phy))]);
      expect(answers.map((a) => a.result).sort()).toEqual(['JoinReqFailed', 'Success']);
    });

    it('never reuses a JoinNonce when another instance answered the device meanwhile (compare-and-set)', async () => {
      const a = await started();
      await a.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.3', appKey: APP_KEY });
      const b = await started(); // a second process sharing the database, loaded the same row
      expect(joinNonceOf(await b.handleJoinRequest(req(joinRequestPhy(APP_KEY, 1))))).toBe(1);
      // a's cache still says JoinNonce 0: its write is refused, it re-reads the row and decides again.
      expect((await a.handleJoinRequest(req(joinRequestPhy(APP_KEY, 1)))).result).toBe('JoinReqFailed');
      expect(joinNonceOf(await a.handleJoinRequest(req(joinRequestPhy(APP_KEY, 2))))).toBe(2);
      expect((await row()).lastJoinNonce).toBe(2);
    });

    it('answers Other, with no key material, when the root keys do not open (master key changed)', async () => {
      const js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      const other = await started(new KeyCipher(randomBytes(32)));
      const a = await other.handleJoinRequest(req(joinRequestPhy(APP_KEY, 0)));
      expect(a).toEqual({ result: 'Other', description: 'the root keys of this device cannot be opened' });
    });

    it('answers MalformedRequest for a bad DevEUI or bytes that are not a join-request', async () => {
      const js = await started();
      expect((await js.handleJoinRequest({ ...req(Buffer.alloc(23)), devEui: 'nope' })).result).toBe(
        'MalformedRequest',
      );
      expect((await js.handleJoinRequest(req(Buffer.alloc(5)))).result).toBe('MalformedRequest');
      expect((await js.handleRejoinRequest(req(joinRequestPhy(APP_KEY, 1)))).result).toBe('MalformedRequest');
    });
  });

  describe('operator DevNonce tools', () => {
    it('refuse an unknown device and an unknown policy', async () => {
      const js = await started();
      await expect(js.flushDevNonces(DEV_EUI)).rejects.toMatchObject({
        code: 'UNKNOWN_DEVICE',
        field: 'devEui',
      });
      await expect(js.setDevNoncePolicy(DEV_EUI, 'set')).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE' });
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      await expect(js.setDevNoncePolicy(DEV_EUI, 'random' as never)).rejects.toMatchObject({
        code: 'BAD_FIELD',
        field: 'policy',
      });
    });

    it('persist a policy change and the set history across a restart', async () => {
      let js = await started();
      await js.upsertDeviceKeys({ devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
      await js.setDevNoncePolicy(DEV_EUI, 'set');
      for (const n of [300, 200, 100]) await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, n)));
      js = await started();
      expect(js.getDevice(DEV_EUI)).toMatchObject({
        devNoncePolicy: 'set',
        usedDevNonceCount: 3,
        lastDevNonce: 100,
      });
      expect((await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 200)))).result).toBe('JoinReqFailed');
      expect((await js.handleJoinRequest(req(joinRequestPhy(APP_KEY, 150)))).result).toBe('Success');
    });
  });
});
