import {
  computeDownlinkMic,
  DataDownFrame,
  decodeMacCommands,
  decodePhyPayload,
  decryptFOpts,
  decryptFrmPayload,
  encodeMacCommands,
  micInput,
  MType,
} from '@lns/lorawan';
import { APP_S_KEY, contextFor, KEY_E, KEY_S, NWK_S_KEY, sessionFor } from '../uplink/ns-test-support';
import { buildDataDownlink, downlinkCounterOf } from './data-downlink-frame';

const DEV_STATUS = encodeMacCommands([{ cid: 'DevStatusReq' }]);

describe('buildDataDownlink', () => {
  it('1.0.x: FRMPayload under AppSKey, FOpts in clear, MIC under NwkSKey with the shared FCntDown', () => {
    const s = sessionFor(contextFor());
    const phy = buildDataDownlink(s, {
      confirmed: true,
      ack: true,
      adr: true,
      fPending: true,
      fOpts: DEV_STATUS,
      fPort: 5,
      frmPayload: Buffer.from('hi'),
      fCnt: 0x10002,
      confFCnt: 9,
    });
    const f = decodePhyPayload(phy) as DataDownFrame;
    expect(f).toMatchObject({ mType: MType.ConfirmedDataDown, devAddr: s.devAddr, fCnt: 2, fPort: 5 });
    expect(f.fCtrl).toEqual({ adr: true, ack: true, fPending: true, fOptsLen: 1 });
    expect(f.fOpts).toEqual(DEV_STATUS);
    expect(
      decryptFrmPayload({
        key: APP_S_KEY,
        uplink: false,
        devAddr: s.devAddr,
        fCnt: 0x10002,
        payload: f.frmPayload!,
      }),
    ).toEqual(Buffer.from('hi'));
    // 1.0.x: B0 carries no ConfFCnt even with ACK (L1.0.4 §4.4).
    expect(f.mic).toEqual(
      computeDownlinkMic({ key: NWK_S_KEY, devAddr: s.devAddr, fCnt: 0x10002, msg: micInput(phy) }),
    );
    expect(downlinkCounterOf(s, 5)).toBe('FCntDown');
  });

  it('1.1 with FPort > 0: FOpts encrypted on the AFCntDown block, MIC under SNwkSIntKey with ConfFCnt', () => {
    const s = sessionFor(contextFor({ macVersion: '1.1.0' }));
    const phy = buildDataDownlink(s, {
      confirmed: false,
      ack: true,
      adr: false,
      fPending: false,
      fOpts: DEV_STATUS,
      fPort: 3,
      frmPayload: Buffer.from([0xaa]),
      fCnt: 7,
      confFCnt: 0x12345,
    });
    const f = decodePhyPayload(phy) as DataDownFrame;
    expect(f.fOpts).not.toEqual(DEV_STATUS);
    expect(
      decryptFOpts({ nwkSEncKey: KEY_E, counter: 'AFCntDown', devAddr: s.devAddr, fCnt: 7, fOpts: f.fOpts }),
    ).toEqual(DEV_STATUS);
    expect(f.mic).toEqual(
      computeDownlinkMic({ key: KEY_S, devAddr: s.devAddr, fCnt: 7, msg: micInput(phy), confFCnt: 0x12345 }),
    );
    expect(downlinkCounterOf(s, 3)).toBe('AFCntDown');
  });

  it('1.1 without FPort or with FPort 0: NFCntDown; FPort 0 carries MAC commands under NwkSEncKey', () => {
    const s = sessionFor(contextFor({ macVersion: '1.1.0' }));
    const phy0 = buildDataDownlink(s, {
      confirmed: false,
      ack: false,
      adr: true,
      fPending: false,
      fOpts: Buffer.alloc(0),
      fPort: 0,
      frmPayload: DEV_STATUS,
      fCnt: 4,
    });
    const f0 = decodePhyPayload(phy0) as DataDownFrame;
    const plain = decryptFrmPayload({
      key: KEY_E,
      uplink: false,
      devAddr: s.devAddr,
      fCnt: 4,
      payload: f0.frmPayload!,
    });
    expect(decodeMacCommands(plain, 'downlink').commands).toEqual([{ cid: 'DevStatusReq' }]);
    const phyNone = buildDataDownlink(s, {
      confirmed: false,
      ack: true,
      adr: true,
      fPending: false,
      fOpts: DEV_STATUS,
      fCnt: 5,
      confFCnt: 1,
    });
    const fn = decodePhyPayload(phyNone) as DataDownFrame;
    expect(fn.fPort).toBeUndefined();
    expect(
      decryptFOpts({ nwkSEncKey: KEY_E, counter: 'NFCntDown', devAddr: s.devAddr, fCnt: 5, fOpts: fn.fOpts }),
    ).toEqual(DEV_STATUS);
    expect(downlinkCounterOf(s, 0)).toBe('NFCntDown');
    expect(downlinkCounterOf(s, undefined)).toBe('NFCntDown');
  });

  it('sends an AS-encrypted FRMPayload as it is, and refuses a plain one without AppSKey', () => {
    const s = sessionFor(contextFor({ endToEnd: true }));
    const phy = buildDataDownlink(s, {
      confirmed: false,
      ack: false,
      adr: true,
      fPending: false,
      fOpts: Buffer.alloc(0),
      fPort: 2,
      frmPayload: Buffer.from('cipher'),
      preEncrypted: true,
      fCnt: 1,
    });
    expect((decodePhyPayload(phy) as DataDownFrame).frmPayload).toEqual(Buffer.from('cipher'));
    expect(() =>
      buildDataDownlink(s, {
        confirmed: false,
        ack: false,
        adr: true,
        fPending: false,
        fOpts: Buffer.alloc(0),
        fPort: 2,
        frmPayload: Buffer.from('x'),
        fCnt: 1,
      }),
    ).toThrow(/AppSKey/);
  });
});
