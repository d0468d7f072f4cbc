/**
 * Whole-frame cross-check against an independent implementation (npm `lora-packet`, used only
 * here, as an oracle): thousands of random frames, both ways. What we build (encode, encrypt,
 * MIC) lora-packet parses, authenticates and decrypts to the same values; what lora-packet
 * builds we decode, authenticate and decrypt to the same values.
 */
import fc from 'fast-check';
import loraPacket from 'lora-packet';
import {
  computeDownlinkMic,
  computeJoinAcceptMic,
  computeJoinRequestMic,
  computeUplinkMic10,
  micEquals,
} from './mic';
import { decryptFrmPayload, encryptFrmPayload, encryptJoinAccept } from './encryption';
import {
  decodePhyPayload,
  encodeJoinAcceptPlaintext,
  encodePhyPayload,
  micInput,
  DataFrame,
} from './phy-payload';
import { MType } from './mhdr';
import { deriveSessionKeys10 } from './keys';

const RUNS = 1000;
const key16 = () => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
const u32 = () => fc.integer({ min: 0, max: 0xffffffff });
// lora-packet takes the two most significant FCnt bytes in air (little-endian) order.
const fCntMsb = (fCnt: number) => Buffer.from([(fCnt >>> 16) & 0xff, (fCnt >>> 24) & 0xff]);
const devAddrBuf = (a: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(a);
  return b;
};

const frameArb = fc.record({
  uplink: fc.boolean(),
  confirmed: fc.boolean(),
  devAddr: u32(),
  fCnt: u32(),
  fPort: fc.integer({ min: 1, max: 223 }),
  payload: fc.uint8Array({ minLength: 0, maxLength: 242 }).map((a) => Buffer.from(a)),
  adr: fc.boolean(),
  ack: fc.boolean(),
  bit4: fc.boolean(),
  fOpts: fc.uint8Array({ minLength: 0, maxLength: 15 }).map((a) => Buffer.from(a)),
  nwkSKey: key16(),
  appSKey: key16(),
});

type FrameCase = typeof frameArb extends fc.Arbitrary<infer T> ? T : never;

function mTypeOf(c: FrameCase): MType {
  if (c.uplink) return c.confirmed ? MType.ConfirmedDataUp : MType.UnconfirmedDataUp;
  return c.confirmed ? MType.ConfirmedDataDown : MType.UnconfirmedDataDown;
}

/** Our side: build a complete LoRaWAN 1.0 data frame. */
function buildOurs(c: FrameCase): Buffer {
  const frmPayload = encryptFrmPayload({
    key: c.appSKey,
    uplink: c.uplink,
    devAddr: c.devAddr,
    fCnt: c.fCnt,
    payload: c.payload,
  });
  const fCtrl = c.uplink
    ? { adr: c.adr, adrAckReq: false, ack: c.ack, classB: c.bit4, fOptsLen: c.fOpts.length }
    : { adr: c.adr, ack: c.ack, fPending: c.bit4, fOptsLen: c.fOpts.length };
  const frame = {
    mType: mTypeOf(c),
    devAddr: c.devAddr,
    fCtrl,
    fCnt: c.fCnt & 0xffff,
    fOpts: c.fOpts,
    fPort: c.fPort,
    frmPayload,
    mic: Buffer.alloc(4),
  } as DataFrame;
  const unsigned = encodePhyPayload(frame);
  const msg = micInput(unsigned);
  const mic = c.uplink
    ? computeUplinkMic10({ nwkSKey: c.nwkSKey, devAddr: c.devAddr, fCnt: c.fCnt, msg })
    : computeDownlinkMic({ key: c.nwkSKey, devAddr: c.devAddr, fCnt: c.fCnt, msg });
  mic.copy(unsigned, unsigned.length - 4);
  return unsigned;
}

describe('cross-check with lora-packet (whole frames)', () => {
  it(`our 1.0 data frames are parsed, authenticated and decrypted by lora-packet (${RUNS} frames)`, () => {
    fc.assert(
      fc.property(frameArb, (c) => {
        const wire = buildOurs(c);
        const p = loraPacket.fromWire(wire);
        expect(p.getMType()).toBe(
          ['Unconfirmed Data Up', 'Unconfirmed Data Down', 'Confirmed Data Up', 'Confirmed Data Down'][
            (c.confirmed ? 2 : 0) + (c.uplink ? 0 : 1)
          ],
        );
        expect(p.DevAddr!.readUInt32BE()).toBe(c.devAddr);
        expect(p.getFCnt()).toBe(c.fCnt & 0xffff);
        expect(p.getFPort()).toBe(c.fPort);
        expect(p.getFCtrlADR()).toBe(c.adr);
        expect(p.getFCtrlACK()).toBe(c.ack);
        expect(Buffer.from(p.FOpts!)).toEqual(c.fOpts);
        expect(loraPacket.verifyMIC(p, c.nwkSKey, undefined, fCntMsb(c.fCnt))).toBe(true);
        expect(loraPacket.decrypt(p, c.appSKey, c.nwkSKey, fCntMsb(c.fCnt))).toEqual(c.payload);
      }),
      { numRuns: RUNS },
    );
  });

  it(`lora-packet's 1.0 data frames are decoded, authenticated and decrypted by us (${RUNS} frames)`, () => {
    fc.assert(
      fc.property(frameArb, (c) => {
        const built = loraPacket.fromFields(
          {
            MType: mTypeOf(c),
            DevAddr: devAddrBuf(c.devAddr),
            FCnt: c.fCnt & 0xffff,
            FCtrl: { ADR: c.adr, ACK: c.ack, FPending: !c.uplink && c.bit4, ADRACKReq: false },
            FOpts: c.fOpts,
            FPort: c.fPort,
            payload: c.payload,
          },
          c.appSKey,
          c.nwkSKey,
          undefined,
          fCntMsb(c.fCnt),
        );
        const wire = built.getPHYPayload() as Buffer;
        const f = decodePhyPayload(wire) as DataFrame;
        expect(f.mType).toBe(mTypeOf(c));
        expect(f.devAddr).toBe(c.devAddr);
        expect(f.fCnt).toBe(c.fCnt & 0xffff);
        expect(f.fPort).toBe(c.fPort);
        expect(Buffer.from(f.fOpts)).toEqual(c.fOpts);
        const msg = micInput(wire);
        const mic = c.uplink
          ? computeUplinkMic10({ nwkSKey: c.nwkSKey, devAddr: c.devAddr, fCnt: c.fCnt, msg })
          : computeDownlinkMic({ key: c.nwkSKey, devAddr: c.devAddr, fCnt: c.fCnt, msg });
        expect(micEquals(mic, f.mic)).toBe(true);
        const plain = decryptFrmPayload({
          key: c.appSKey,
          uplink: c.uplink,
          devAddr: c.devAddr,
          fCnt: c.fCnt,
          payload: f.frmPayload!,
        });
        expect(plain).toEqual(c.payload);
      }),
      { numRuns: RUNS },
    );
  });

  it(`join-requests agree both ways (${RUNS} frames)`, () => {
    const arb = fc.record({
      joinEui: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
      devEui: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a)),
      devNonce: fc.integer({ min: 0, max: 0xffff }),
      appKey: key16(),
    });
    fc.assert(
      fc.property(arb, ({ joinEui, devEui, devNonce, appKey }) => {
        const unsigned = encodePhyPayload({
          mType: MType.JoinRequest,
          joinEui,
          devEui,
          devNonce,
          mic: Buffer.alloc(4),
        });
        computeJoinRequestMic({ key: appKey, msg: micInput(unsigned) }).copy(unsigned, 19);
        const p = loraPacket.fromWire(unsigned);
        expect(p.AppEUI).toEqual(joinEui);
        expect(p.DevEUI).toEqual(devEui);
        expect(p.DevNonce!.readUInt16BE()).toBe(devNonce);
        expect(loraPacket.verifyMIC(p, undefined, appKey)).toBe(true);

        const theirs = loraPacket.fromFields(
          { MType: 'Join Request', AppEUI: joinEui, DevEUI: devEui, DevNonce: p.DevNonce },
          undefined,
          undefined,
          appKey,
        );
        expect(theirs.getPHYPayload()).toEqual(unsigned);
      }),
      { numRuns: RUNS },
    );
  });

  it(`our encrypted 1.0 join-accepts decrypt in lora-packet to the same fields and session keys (${RUNS / 2} frames)`, () => {
    const arb = fc.record({
      joinNonce: fc.integer({ min: 0, max: 0xffffff }),
      netId: fc.integer({ min: 0, max: 0xffffff }),
      devAddr: u32(),
      devNonce: fc.integer({ min: 0, max: 0xffff }),
      rx1DrOffset: fc.integer({ min: 0, max: 7 }),
      rx2DataRate: fc.integer({ min: 0, max: 15 }),
      rxDelay: fc.integer({ min: 0, max: 15 }),
      cfList: fc.option(
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
        {
          nil: undefined,
        },
      ),
      appKey: key16(),
    });
    fc.assert(
      fc.property(arb, (c) => {
        const plain = encodeJoinAcceptPlaintext({
          joinNonce: c.joinNonce,
          netId: c.netId,
          devAddr: c.devAddr,
          dlSettings: { optNeg: false, rx1DrOffset: c.rx1DrOffset, rx2DataRate: c.rx2DataRate },
          rxDelay: c.rxDelay,
          cfList: c.cfList,
          mic: Buffer.alloc(4),
        });
        computeJoinAcceptMic({ key: c.appKey, msg: micInput(plain) }).copy(plain, plain.length - 4);
        const wire = encryptJoinAccept({ key: c.appKey, phyPayload: plain });
        const p = loraPacket.fromWire(wire);
        const decrypted = loraPacket.fromWire(loraPacket.decryptJoinAccept(p, c.appKey));
        expect(decrypted.DevAddr!.readUInt32BE()).toBe(c.devAddr);
        expect(decrypted.getDLSettingsRxOneDRoffset()).toBe(c.rx1DrOffset);
        expect(decrypted.getDLSettingsRxTwoDataRate()).toBe(c.rx2DataRate);
        expect(decrypted.getRxDelayDel()).toBe(c.rxDelay);
        expect(loraPacket.verifyMIC(decrypted, undefined, c.appKey)).toBe(true);

        const le3 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]).reverse();
        const theirKeys = loraPacket.generateSessionKeys10(
          c.appKey,
          le3(c.netId),
          le3(c.joinNonce),
          Buffer.from([(c.devNonce >> 8) & 0xff, c.devNonce & 0xff]),
        );
        const ours = deriveSessionKeys10({
          appKey: c.appKey,
          joinNonce: c.joinNonce,
          netId: c.netId,
          devNonce: c.devNonce,
        });
        expect(ours.nwkSKey).toEqual(theirKeys.NwkSKey);
        expect(ours.appSKey).toEqual(theirKeys.AppSKey);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
