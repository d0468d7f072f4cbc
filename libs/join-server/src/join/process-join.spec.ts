import loraPacket from 'lora-packet';
import {
  computeJoinAcceptMic,
  computeJoinRequestMic,
  computeRejoinRequestMic,
  decodeJoinAcceptPlaintext,
  decryptJoinAccept,
  deriveJoinServerKeys,
  deriveSessionKeys11,
  encodePhyPayload,
  JoinReqType,
  micInput,
  MType,
  unwrapKey,
} from '@lns/lorawan';
import { VirtualDevice } from '@lns/simulator';
import { JoinNonceState, JsMacVersion } from '../device/js-device';
import { JoinAnswerSuccess, JoinRequest, SessionKeys10Answer, SessionKeys11Answer } from './join-request';
import {
  decodeRequestFrame,
  JoinDevice,
  JoinProcessing,
  processJoinRequest,
  processRejoinRequest,
  RootKeys,
} from './process-join';

const hex = (s: string) => Buffer.from(s, 'hex');
const be = (n: number, bytes: number) => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(n, 0, bytes);
  return b;
};

const APP_KEY = hex('000102030405060708090a0b0c0d0e0f');
const NWK_KEY = hex('f0e0d0c0b0a090807060504030201000');
const JOIN_EUI = '70b3d57ed0000001';
const DEV_EUI = '0004a30b001c0530';
const NET_ID = 0x000013;
const DEV_ADDR = 0x26011bda;
const CF_LIST = hex('184f84e85684b85e84886684586e8400');

function state(over: Partial<JoinNonceState> = {}): JoinNonceState {
  return {
    devNoncePolicy: 'counter',
    lastDevNonce: null,
    usedDevNonces: [],
    lastJoinNonce: 0,
    rjCount1Last: null,
    ...over,
  };
}

function device(macVersion: JsMacVersion, over: Partial<JoinNonceState> = {}): JoinDevice {
  return { devEui: DEV_EUI, joinEui: JOIN_EUI, macVersion, state: state(over) };
}

function joinRequestPhy(key: Buffer, devNonce: number, joinEui = JOIN_EUI, devEui = DEV_EUI): Buffer {
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

function request(phyPayload: Buffer, over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    phyPayload,
    macVersion: '1.0.3',
    devEui: DEV_EUI,
    devAddr: DEV_ADDR,
    dlSettings: { optNeg: false, rx1DrOffset: 1, rx2DataRate: 3 },
    rxDelay: 1,
    cfList: CF_LIST,
    netId: NET_ID,
    ...over,
  };
}

function join(d: JoinDevice, root: RootKeys, req: JoinRequest): JoinProcessing {
  const frame = decodeRequestFrame(req, MType.JoinRequest);
  if ('result' in frame) throw new Error(frame.description);
  return processJoinRequest(d, root, frame, req, 'a1b2c3');
}

function rejoin(d: JoinDevice, root: RootKeys, req: JoinRequest): JoinProcessing {
  const frame = decodeRequestFrame(req, MType.RejoinRequest);
  if ('result' in frame) throw new Error(frame.description);
  return processRejoinRequest(d, root, frame, req, 'a1b2c3');
}

function success(p: JoinProcessing): JoinAnswerSuccess {
  if (!p.ok) throw new Error(`${p.answer.result}: ${p.answer.description}`);
  return p.answer;
}

describe('join-request → join-accept, LoRaWAN 1.0.x', () => {
  // Vector: lora-packet README join-request and its join-accept decrypted with AppKey
  // B6B53F4A168A7A88BDF7EA135CE9CFCA in runkit.com/avbentem/deciphering-a-lorawan-otaa-join-accept
  // (AppNonce E5063A, NetID 000013, DevAddr 26012E43, DLSettings 03, RxDelay 01, CFList, MIC 55121DE0,
  // NwkSKey 2C96…D4FC, AppSKey F3A5…802C). The join server must rebuild the exact bytes.
  it('reproduces the published join-request/join-accept pair and its session keys', () => {
    const phy = hex('00DC0000D07ED5B3701E6FEDF57CEEAF0085CC587FE913');
    const d: JoinDevice = {
      devEui: '00afee7cf5ed6f1e',
      joinEui: '70b3d57ed00000dc',
      macVersion: '1.0.2',
      state: state({ devNoncePolicy: 'set', lastJoinNonce: 0xe5063a - 1 }),
    };
    const out = join(
      d,
      { appKey: hex('B6B53F4A168A7A88BDF7EA135CE9CFCA') },
      {
        ...request(phy),
        devEui: '00afee7cf5ed6f1e',
        devAddr: 0x26012e43,
        dlSettings: { optNeg: false, rx1DrOffset: 0, rx2DataRate: 3 },
        rxDelay: 1,
        cfList: hex('184F84E85684B85E84886684586E8400'),
        netId: 0x13,
      },
    );
    const a = success(out);
    expect(a.phyPayload.toString('hex')).toBe(
      '204dd85ae608b87fc4889970b7d2042c9e72959b0057aed6094b16003df12de145',
    );
    expect(a.optNeg).toBe(false);
    const keys = a.keys as SessionKeys10Answer;
    expect(keys.nwkSKey.toString('hex')).toBe('2c96f7028184bb0be8aa49275290d4fc');
    expect(keys.appSKey?.toString('hex')).toBe('f3a5c8f0232a38c144029c165865802c');
    expect(a).toMatchObject({ joinNonce: 0xe5063a, devNonce: 0xcc85, sessionKeyId: 'a1b2c3' });
    expect(out.ok && out.state).toEqual(
      state({
        devNoncePolicy: 'set',
        lastDevNonce: 0xcc85,
        usedDevNonces: [0xcc85],
        lastJoinNonce: 0xe5063a,
      }),
    );
  });

  it('refuses a join-request signed with another AppKey: MICFailed, state untouched', () => {
    const out = join(device('1.0.3'), { appKey: APP_KEY }, request(joinRequestPhy(NWK_KEY, 1)));
    expect(out).toEqual({
      ok: false,
      answer: { result: 'MICFailed', description: 'join-request MIC does not verify with the AppKey' },
    });
  });

  it('refuses another JoinEUI than the one the join server holds for the device', () => {
    const phy = joinRequestPhy(APP_KEY, 1, '70b3d57ed0000099');
    const out = join(device('1.0.3'), { appKey: APP_KEY }, request(phy));
    expect(out.ok).toBe(false);
    expect(!out.ok && out.answer.result).toBe('UnknownDevEUI');
  });

  it('applies the DevNonce policy: set refuses a reused DevNonce, counter one not incremented, off neither', () => {
    const phy = request(joinRequestPhy(APP_KEY, 77));
    const set = join(
      device('1.0.3', { devNoncePolicy: 'set', usedDevNonces: [5, 77] }),
      { appKey: APP_KEY },
      phy,
    );
    expect(!set.ok && set.answer).toEqual({
      result: 'JoinReqFailed',
      description: 'DevNonce already used: 77',
    });
    const counter = join(
      device('1.0.4', { devNoncePolicy: 'counter', lastDevNonce: 77 }),
      { appKey: APP_KEY },
      phy,
    );
    expect(!counter.ok && counter.answer.description).toMatch(/^DevNonce not incremented: 77/);
    const off = join(device('1.0.4', { devNoncePolicy: 'off', lastDevNonce: 77 }), { appKey: APP_KEY }, phy);
    expect(off.ok).toBe(true);
  });

  it('increments the JoinNonce and refuses once it is exhausted', () => {
    const phy = request(joinRequestPhy(APP_KEY, 1));
    expect(success(join(device('1.0.4', { lastJoinNonce: 41 }), { appKey: APP_KEY }, phy)).joinNonce).toBe(
      42,
    );
    const out = join(device('1.0.4', { lastJoinNonce: 0xffffff }), { appKey: APP_KEY }, phy);
    expect(!out.ok && out.answer.result).toBe('JoinReqFailed');
  });

  it('never sets OptNeg for a 1.0 device (RFU in 1.0): 1.0 keys, join-accept under the AppKey', () => {
    const phy = joinRequestPhy(APP_KEY, 3);
    const a = success(
      join(
        device('1.0.4'),
        { appKey: APP_KEY },
        request(phy, { dlSettings: { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 } }),
      ),
    );
    expect(a.optNeg).toBe(false);
    const plain = decodeJoinAcceptPlaintext(decryptJoinAccept({ key: APP_KEY, phyPayload: a.phyPayload }));
    expect(plain.dlSettings).toEqual({ optNeg: false, rx1DrOffset: 0, rx2DataRate: 0 });
    expect(plain).toMatchObject({ joinNonce: 1, netId: NET_ID, devAddr: DEV_ADDR, rxDelay: 1 });
    expect(plain.cfList).toEqual(CF_LIST);
  });

  it('is accepted by a simulated 1.0.3 device, which derives the same keys', () => {
    const dev = new VirtualDevice({
      devEui: DEV_EUI,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: '1.0.3',
      activation: { type: 'OTAA', appKey: APP_KEY },
      seed: 7,
    });
    const jr = dev.joinRequest();
    const a = success(
      join(device('1.0.3', { devNoncePolicy: 'set' }), { appKey: APP_KEY }, request(jr.phyPayload)),
    );
    expect(dev.handleJoinAccept(a.phyPayload)).toBe(true);
    const k = a.keys as SessionKeys10Answer;
    expect(dev.sessionKeys()).toEqual({
      fNwkSIntKey: k.nwkSKey,
      sNwkSIntKey: k.nwkSKey,
      nwkSEncKey: k.nwkSKey,
      appSKey: k.appSKey,
    });
    expect(dev.state()).toMatchObject({
      devAddr: DEV_ADDR,
      rx1DrOffset: 1,
      rx2: { dataRate: 3 },
      rxDelay: 1,
    });
  });
});

describe('join-request → join-accept, LoRaWAN 1.1', () => {
  const root = { appKey: APP_KEY, nwkKey: NWK_KEY };
  const optNeg = { optNeg: true, rx1DrOffset: 2, rx2DataRate: 0 };

  it('checks the MIC under the NwkKey, not the AppKey (L11 §6.2.2)', () => {
    const out = join(
      device('1.1.0'),
      root,
      request(joinRequestPhy(APP_KEY, 0), { macVersion: '1.1.0', dlSettings: optNeg }),
    );
    expect(!out.ok && out.answer).toEqual({
      result: 'MICFailed',
      description: 'join-request MIC does not verify with the NwkKey',
    });
  });

  it('with OptNeg: keys and join-accept match lora-packet (generateSessionKeys11, generateJSKeys)', () => {
    const devNonce = 0x0102;
    const a = success(
      join(
        device('1.1.0', { lastJoinNonce: 9 }),
        root,
        request(joinRequestPhy(NWK_KEY, devNonce), { macVersion: '1.1.0', dlSettings: optNeg }),
      ),
    );
    expect(a.optNeg).toBe(true);
    const ref = loraPacket.generateSessionKeys11(APP_KEY, NWK_KEY, hex(JOIN_EUI), be(10, 3), be(devNonce, 2));
    const k = a.keys as SessionKeys11Answer;
    expect(k.fNwkSIntKey).toEqual(ref.FNwkSIntKey);
    expect(k.sNwkSIntKey).toEqual(ref.SNwkSIntKey);
    expect(k.nwkSEncKey).toEqual(ref.NwkSEncKey);
    expect(k.appSKey).toEqual(ref.AppSKey);
    // lora-packet signs an OptNeg join-accept with JSIntKey over JoinReqType | JoinEUI | DevNonce | … and
    // encrypts it with the key given as AppKey (NwkKey for an answer to a Join-request).
    const js = loraPacket.generateJSKeys(NWK_KEY, hex(DEV_EUI));
    const expected = loraPacket.fromFields(
      {
        AppNonce: be(10, 3),
        NetID: be(NET_ID, 3),
        DevAddr: be(DEV_ADDR, 4),
        DLSettings: Buffer.from([0x80 | (2 << 4) | 0]),
        RxDelay: Buffer.from([1]),
        CFList: CF_LIST,
        JoinReqType: Buffer.from([0xff]),
        AppEUI: hex(JOIN_EUI),
        DevNonce: be(devNonce, 2),
      },
      undefined,
      js.JSIntKey,
      NWK_KEY,
    );
    expect(a.phyPayload).toEqual(expected.getPHYPayload());
  });

  it('without OptNeg (a 1.0 network server): 1.0-shaped keys from the NwkKey alone (L11 l.1589-1592)', () => {
    const devNonce = 4;
    const a = success(join(device('1.1.0'), root, request(joinRequestPhy(NWK_KEY, devNonce))));
    expect(a.optNeg).toBe(false);
    const ref = deriveSessionKeys11({
      optNeg: false,
      nwkKey: NWK_KEY,
      joinNonce: 1,
      netId: NET_ID,
      devNonce,
    });
    expect(a.keys).toEqual({ nwkSKey: ref.fNwkSIntKey, appSKey: ref.appSKey });
    const plain = decryptJoinAccept({ key: NWK_KEY, phyPayload: a.phyPayload });
    expect(computeJoinAcceptMic({ key: NWK_KEY, msg: micInput(plain) })).toEqual(
      plain.subarray(plain.length - 4),
    );
  });

  it('is accepted by a simulated 1.1 device, which derives the same four keys', () => {
    const dev = new VirtualDevice({
      devEui: DEV_EUI,
      joinEui: JOIN_EUI,
      region: 'EU868',
      macVersion: '1.1.0',
      activation: { type: 'OTAA', appKey: APP_KEY, nwkKey: NWK_KEY },
      devNonce: 12,
      seed: 1,
    });
    const jr = dev.joinRequest();
    const a = success(
      join(
        device('1.1.0', { lastDevNonce: 11 }),
        root,
        request(jr.phyPayload, { macVersion: '1.1.0', dlSettings: optNeg }),
      ),
    );
    expect(dev.handleJoinAccept(a.phyPayload)).toBe(true);
    expect(dev.state().lorawan11Session).toBe(true);
    const { appSKey, ...net } = a.keys as SessionKeys11Answer;
    expect(dev.sessionKeys()).toEqual({ ...net, appSKey });
  });

  it('refuses a 1.1 device without a NwkKey', () => {
    const out = join(device('1.1.0'), { appKey: APP_KEY }, request(joinRequestPhy(NWK_KEY, 1)));
    expect(!out.ok && out.answer.result).toBe('Other');
  });
});

describe('AppSKey wrapping for end-to-end applications', () => {
  const kek = hex('0807060504030201080706050403020108070605040302010807060504030201');

  it('returns only the envelope; it unwraps (RFC 3394) to the derived AppSKey', () => {
    const phy = joinRequestPhy(APP_KEY, 9);
    const plainAnswer = success(join(device('1.0.4'), { appKey: APP_KEY }, request(phy)));
    const out = join(
      device('1.0.4'),
      { appKey: APP_KEY },
      request(phy, { appSKeyWrapping: { kekLabel: 'as-1', kek } }),
    );
    const a = success(out);
    expect(a.keys).toEqual({ nwkSKey: (plainAnswer.keys as SessionKeys10Answer).nwkSKey });
    expect('appSKey' in a.keys).toBe(false);
    expect(a.appSKeyEnvelope?.kekLabel).toBe('as-1');
    expect(a.appSKeyEnvelope?.aesKey).toMatch(/^[0-9a-f]{48}$/);
    const unwrapped = unwrapKey({ kek, wrapped: hex(a.appSKeyEnvelope!.aesKey) });
    expect(unwrapped).toEqual((plainAnswer.keys as SessionKeys10Answer).appSKey);
    expect(out.ok && out.appSKey).toEqual(unwrapped);
  });

  it('wraps the 1.1 AppSKey too, keeping the three network keys', () => {
    const phy = joinRequestPhy(NWK_KEY, 1);
    const a = success(
      join(
        device('1.1.0'),
        { appKey: APP_KEY, nwkKey: NWK_KEY },
        request(phy, {
          macVersion: '1.1.0',
          dlSettings: { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 },
          appSKeyWrapping: { kekLabel: 'as-2', kek: kek.subarray(0, 16) },
        }),
      ),
    );
    expect(Object.keys(a.keys).sort()).toEqual(['fNwkSIntKey', 'nwkSEncKey', 'sNwkSIntKey']);
    expect(a.appSKeyEnvelope?.aesKey).toHaveLength(48);
  });

  it('answers MalformedRequest for a KEK of a wrong size', () => {
    const out = join(
      device('1.0.4'),
      { appKey: APP_KEY },
      request(joinRequestPhy(APP_KEY, 9), {
        appSKeyWrapping: { kekLabel: 'x', kek: Buffer.alloc(5) },
      }),
    );
    expect(!out.ok && out.answer.result).toBe('MalformedRequest');
    expect(!out.ok && out.answer.description).toMatch(/KEK/);
  });
});

describe('malformed requests', () => {
  it('names the bad field: DevAddr, RxDelay, CFList, NetID, DLSettings', () => {
    const phy = joinRequestPhy(APP_KEY, 1);
    const cases: Array<[Partial<JoinRequest>, RegExp]> = [
      [{ devAddr: -1 }, /DevAddr/],
      [{ rxDelay: 16 }, /RxDelay/],
      [{ cfList: Buffer.alloc(3) }, /CFList/],
      [{ netId: 0x1000000 }, /netId/i],
      [{ dlSettings: { optNeg: false, rx1DrOffset: 9, rx2DataRate: 0 } }, /RX1DROffset/],
    ];
    for (const [over, field] of cases) {
      const out = join(device('1.0.4'), { appKey: APP_KEY }, request(phy, over));
      expect(!out.ok && out.answer.result).toBe('MalformedRequest');
      expect(!out.ok && out.answer.description).toMatch(field);
    }
  });

  it('refuses bytes that are not a join-request of this DevEUI', () => {
    const data = hex('40e2050026800100016e0ad5aab4c2d1');
    expect(decodeRequestFrame(request(data), MType.JoinRequest)).toMatchObject({
      result: 'MalformedRequest',
    });
    expect(decodeRequestFrame(request(Buffer.alloc(3)), MType.JoinRequest)).toMatchObject({
      result: 'MalformedRequest',
    });
    const other = joinRequestPhy(APP_KEY, 1, JOIN_EUI, '0004a30b001c0531');
    expect(decodeRequestFrame(request(other), MType.JoinRequest)).toMatchObject({
      result: 'MalformedRequest',
      description: expect.stringMatching(/DevEUI/),
    });
    expect(decodeRequestFrame(request(joinRequestPhy(APP_KEY, 1)), MType.RejoinRequest)).toMatchObject({
      result: 'MalformedRequest',
    });
  });
});

describe('rejoin-request → join-accept (LoRaWAN 1.1 §6.2.4)', () => {
  const root = { appKey: APP_KEY, nwkKey: NWK_KEY };
  const js = deriveJoinServerKeys({ nwkKey: NWK_KEY, devEui: hex(DEV_EUI) });
  const dl = { optNeg: true, rx1DrOffset: 0, rx2DataRate: 0 };

  function rejoin1(rjCount1: number, key = js.jsIntKey, joinEui = JOIN_EUI): Buffer {
    const phy = encodePhyPayload({
      mType: MType.RejoinRequest,
      rejoinType: 1,
      joinEui: hex(joinEui),
      devEui: hex(DEV_EUI),
      rjCount1,
      mic: Buffer.alloc(4),
    });
    computeRejoinRequestMic({ key, msg: micInput(phy) }).copy(phy, 20);
    return phy;
  }

  function rejoin02(rejoinType: 0 | 2, rjCount0: number): Buffer {
    const phy = encodePhyPayload({
      mType: MType.RejoinRequest,
      rejoinType,
      netId: NET_ID,
      devEui: hex(DEV_EUI),
      rjCount0,
      mic: Buffer.alloc(4),
    });
    // Signed by the session's SNwkSIntKey, which only the network server checks.
    computeRejoinRequestMic({ key: hex('11'.repeat(16)), msg: micInput(phy) }).copy(phy, 15);
    return phy;
  }

  /** What a 1.1 device does with the answer: decrypt with JSEncKey, MIC under JSIntKey with JoinReqType. */
  function openAsDevice(phy: Buffer, joinReqType: JoinReqType, rjCount: number) {
    const plain = decryptJoinAccept({ key: js.jsEncKey, phyPayload: phy });
    const mic = computeJoinAcceptMic({
      optNeg: true,
      jsIntKey: js.jsIntKey,
      joinReqType,
      joinEui: hex(JOIN_EUI),
      devNonce: rjCount,
      msg: micInput(plain),
    });
    expect(mic).toEqual(plain.subarray(plain.length - 4));
    return decodeJoinAcceptPlaintext(plain);
  }

  it('type 1: MIC under JSIntKey, join-accept under JSEncKey with JoinReqType 1 and RJcount1', () => {
    const out = rejoin(
      device('1.1.0', { lastJoinNonce: 3 }),
      root,
      request(rejoin1(5), { macVersion: '1.1.0', dlSettings: dl }),
    );
    const a = success(out);
    const accept = openAsDevice(a.phyPayload, 0x01, 5);
    expect(accept).toMatchObject({ joinNonce: 4, devAddr: DEV_ADDR, dlSettings: { optNeg: true } });
    const ref = deriveSessionKeys11({
      optNeg: true,
      appKey: APP_KEY,
      nwkKey: NWK_KEY,
      joinNonce: 4,
      joinEui: hex(JOIN_EUI),
      devNonce: 5,
    });
    expect(a.keys).toEqual(ref);
    expect(out.ok && out.state).toMatchObject({ rjCount1Last: 5, lastJoinNonce: 4, lastDevNonce: null });
  });

  it('type 1: refuses an RJcount1 not above the last answered one, and a wrong MIC or JoinEUI', () => {
    const d = device('1.1.0', { rjCount1Last: 5 });
    const replay = rejoin(d, root, request(rejoin1(5), { dlSettings: dl }));
    expect(!replay.ok && replay.answer).toEqual({
      result: 'JoinReqFailed',
      description: 'RJcount1 not incremented: 5 is not above the last answered 5',
    });
    expect(rejoin(d, root, request(rejoin1(6), { dlSettings: dl })).ok).toBe(true);
    const badMic = rejoin(d, root, request(rejoin1(6, NWK_KEY), { dlSettings: dl }));
    expect(!badMic.ok && badMic.answer.result).toBe('MICFailed');
    const otherJoinEui = rejoin(
      d,
      root,
      request(rejoin1(6, js.jsIntKey, '0000000000000001'), { dlSettings: dl }),
    );
    expect(!otherJoinEui.ok && otherJoinEui.answer.result).toBe('UnknownDevEUI');
  });

  it.each([0, 2] as const)(
    'type %i: answered with its type as JoinReqType and RJcount0, RJcount1 untouched',
    (type) => {
      const out = rejoin(
        device('1.1.0', { rjCount1Last: 9 }),
        root,
        request(rejoin02(type, 17), { dlSettings: dl }),
      );
      const a = success(out);
      expect(openAsDevice(a.phyPayload, type, 17).joinNonce).toBe(1);
      expect(a.devNonce).toBe(17);
      expect(out.ok && out.state.rjCount1Last).toBe(9);
      expect(a.optNeg).toBe(true);
    },
  );

  it('refuses a rejoin from a 1.0.x device', () => {
    const out = rejoin(device('1.0.4'), { appKey: APP_KEY }, request(rejoin02(0, 1)));
    expect(!out.ok && out.answer.result).toBe('JoinReqFailed');
  });
});
