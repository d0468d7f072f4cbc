import fc from 'fast-check';
import { encodeCFList } from '../cflist';
import { US915 } from './us915';

const r = US915;
const flags = (on: (i: number) => boolean) => Array.from({ length: 72 }, (_, i) => on(i));
const subBand2 = flags((i) => (i >= 8 && i <= 15) || i === 65);
const indices = (enabled: readonly boolean[]) => enabled.flatMap((on, i) => (on ? [i] : []));

/** LinkADRReq MAC command bytes (CID 0x03) → its channel-mask part (L11 §5.3). */
function linkAdrReq(hex: string) {
  const b = Buffer.from(hex, 'hex');
  return { chMask: b.readUInt16LE(2), chMaskCntl: (b[4] >> 4) & 0x07 };
}

describe('US915 tables (RP002-1.0.4 §2.5, reference §4.2, TTS us_902_928_rp2_v1_0_4.go)', () => {
  it('has the data rates with direction', () => {
    const view = (dr: number) => {
      const d = r.getDataRate(dr);
      return d.modulation === 'LORA'
        ? [d.spreadingFactor, d.bandwidth, d.bitRate, d.uplink, d.downlink]
        : d.modulation;
    };
    expect([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13].map(view)).toEqual([
      [10, 125_000, 980, true, false],
      [9, 125_000, 1760, true, false],
      [8, 125_000, 3125, true, false],
      [7, 125_000, 5470, true, false],
      [8, 500_000, 12_500, true, false],
      'LR-FHSS',
      'LR-FHSS',
      [12, 500_000, 980, false, true],
      [11, 500_000, 1760, false, true],
      [10, 500_000, 3900, false, true],
      [9, 500_000, 7000, false, true],
      [8, 500_000, 12_500, false, true],
      [7, 500_000, 21_900, false, true],
    ]);
    expect(r.getDataRate(5)).toMatchObject({
      occupiedChannelWidth: 1_523_000,
      codingRate: '1/3',
      bitRate: 162,
    });
    expect(() => r.getDataRate(7)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
    expect(r.maxAdrDataRate).toBe(3);
    expect(r.dataRateIndexOf({ spreadingFactor: 8, bandwidth: 500_000 }, 'uplink')).toBe(4);
    expect(r.dataRateIndexOf({ spreadingFactor: 8, bandwidth: 500_000 }, 'downlink')).toBe(12);
  });

  it('has the max payload sizes (dwell time always on)', () => {
    const m = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13].map((dr) => r.getMaxPayload(dr)?.m);
    expect(m).toEqual([19, 61, 133, 250, 250, 58, 133, 61, 137, 250, 250, 250, 250]);
    expect(r.getMaxPayload(0, true)).toEqual({ m: 19, n: 11 });
    expect(r.bootDwellTime).toEqual({ uplink: true, downlink: false });
  });

  it('has 64 + 8 uplink channels', () => {
    const ch = r.defaultChannels;
    expect(ch).toHaveLength(72);
    expect(r.maxChannels).toBe(72);
    expect(ch[0]).toEqual({ frequency: 902_300_000, minDr: 0, maxDr: 3 });
    expect(ch[63]).toEqual({ frequency: 914_900_000, minDr: 0, maxDr: 3 });
    expect(ch[64]).toEqual({ frequency: 903_000_000, minDr: 4, maxDr: 6 });
    expect(ch[71]).toEqual({ frequency: 914_200_000, minDr: 4, maxDr: 6 });
    expect(r.joinChannels[9]).toEqual({ frequency: 904_100_000, minDr: 0, maxDr: 0 });
    expect(r.joinChannels[65]).toEqual({ frequency: 904_600_000, minDr: 4, maxDr: 4 });
    expect(r.uplinkChannelIndex(904_100_000)).toBe(9);
    expect(r.uplinkChannelIndex(904_600_000)).toBe(65);
    expect(r.uplinkChannelIndex(915_100_000)).toBeUndefined();
    expect(r.uplinkChannelIndex(923_300_000)).toBeUndefined();
  });

  it('maps RX1 DR by the RP002 table (TTS us902928DownlinkDRTable)', () => {
    const table = [0, 1, 2, 3, 4, 5, 6].map((dr) => [0, 1, 2, 3].map((o) => r.rx1DataRate(dr, o)));
    expect(table).toEqual([
      [10, 9, 8, 8],
      [11, 10, 9, 8],
      [12, 11, 10, 9],
      [13, 12, 11, 10],
      [13, 13, 12, 11],
      [10, 9, 8, 8],
      [11, 10, 9, 8],
    ]);
    expect(() => r.rx1DataRate(0, 4)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.rx1DataRate(8, 0)).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATA_RATE' }));
  });

  it('maps the RX1 channel to uplink channel mod 8 at 923.3 + 0.6·k MHz', () => {
    expect(r.rx1Frequency(904_100_000)).toBe(923_900_000); // ch 9 → k 1
    expect(r.rx1Frequency(902_300_000)).toBe(923_300_000); // ch 0
    expect(r.rx1Frequency(903_700_000)).toBe(927_500_000); // ch 7
    expect(r.rx1Frequency(903_000_000)).toBe(923_300_000); // ch 64
    expect(r.rx1Frequency(914_200_000)).toBe(927_500_000); // ch 71
    expect(r.rx1Frequency(0, 9)).toBe(923_900_000);
    expect(() => r.rx1Frequency(868_100_000)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('has RX2 923.3 MHz DR8, TXPower 30 − 2n (n 0..14), no TxParamSetupReq', () => {
    expect(r.rx2).toEqual({ frequency: 923_300_000, dataRate: 8 });
    expect(r.txPowerOffsets).toHaveLength(15);
    expect(r.txPowerEirp(14)).toBe(2);
    expect(r.defaultMaxEirp).toBe(30);
    expect(r.implementsTxParamSetup).toBe(false);
    expect(r.downlinkTxPower(923_300_000)).toBe(21); // ChirpStack us915.rs
  });
});

describe('US915 CFList type 1', () => {
  it('encodes ChMask0..4 for sub-band 2 (RP002 §2.5.4 layout)', () => {
    const cf = r.buildCFList({ enabledChannels: subBand2 });
    expect(r.cfListType).toBe(1);
    expect(cf).toEqual({ type: 1, chMasks: [0xff00, 0, 0, 0, 0x0002] });
    expect(encodeCFList(cf).toString('hex')).toBe('00ff0000000000000200000000000001');
    expect(() => r.buildCFList({ frequencies: [] })).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
    expect(() => r.buildCFList({ enabledChannels: [true] })).toThrow(
      expect.objectContaining({ code: 'BAD_FIELD' }),
    );
  });
});

describe('US915 LinkADRReq ChMaskCntl (RP002-1.0.4 §2.5.5, reference §4.2)', () => {
  const all = flags(() => true);
  const none = flags(() => false);

  it.each([0, 1, 2, 3])('ChMaskCntl %i: ChMask sets channels 16·k..16·k+15', (k) => {
    const res = r.applyChMask(none, 0x8001, k);
    expect(res.ok && indices(res.enabled)).toEqual([16 * k, 16 * k + 15]);
  });

  it('ChMaskCntl 4: bits 0..7 set channels 64..71, the rest is kept', () => {
    const res = r.applyChMask(
      flags((i) => i === 3),
      0x0081,
      4,
    );
    expect(res.ok && indices(res.enabled)).toEqual([3, 64, 71]);
  });

  it('ChMaskCntl 5: bit i sets 125 kHz bank 8i..8i+7 and 500 kHz channel 64+i (errata CR ChMaskCtrl)', () => {
    const res = r.applyChMask(all, 0x0002, 5);
    expect(res).toEqual({ ok: true, enabled: subBand2 });
    const two = r.applyChMask(none, 0b1000_0001, 5);
    expect(two.ok && indices(two.enabled)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 56, 57, 58, 59, 60, 61, 62, 63, 64, 71,
    ]);
  });

  it('ChMaskCntl 6: all 125 kHz on, bits 0..7 set 64..71', () => {
    const res = r.applyChMask(none, 0x0001, 6);
    expect(res.ok && indices(res.enabled)).toEqual([...Array.from({ length: 64 }, (_, i) => i), 64]);
  });

  it('ChMaskCntl 7: all 125 kHz off, bits 0..7 set 64..71; all off is rejected', () => {
    const res = r.applyChMask(all, 0x0002, 7);
    expect(res.ok && indices(res.enabled)).toEqual([65]);
    expect(r.applyChMask(all, 0, 7)).toMatchObject({ ok: false, error: 'NO_CHANNEL_ENABLED' });
  });

  it('applies the Multitech FSB2 command pairs (vector: multitech.net forum topic "ChmaskCntl?")', () => {
    const legacy = ['0300020071', '030000ff01'].map(linkAdrReq);
    expect(legacy).toEqual([
      { chMask: 0x0002, chMaskCntl: 7 },
      { chMask: 0xff00, chMaskCntl: 0 },
    ]);
    expect(r.applyChMasks(all, legacy)).toEqual({ ok: true, enabled: subBand2 });
    expect(r.applyChMasks(all, [linkAdrReq('0300020051')])).toEqual({ ok: true, enabled: subBand2 });
    // FSB1 and FSB8 as ChMaskCntl 5
    const fsb1 = r.applyChMasks(none, [linkAdrReq('0300010051')]);
    expect(fsb1.ok && indices(fsb1.enabled)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 64]);
    const fsb8 = r.applyChMasks(none, [linkAdrReq('0300800051')]);
    expect(fsb8.ok && indices(fsb8.enabled)).toEqual([56, 57, 58, 59, 60, 61, 62, 63, 71]);
  });

  it('judges "no channel" only after the whole block (TS001-1.0.4 §5.3)', () => {
    const block = [
      { chMask: 0, chMaskCntl: 7 },
      { chMask: 0x00ff, chMaskCntl: 0 },
    ];
    const res = r.applyChMasks(all, block);
    expect(res.ok && indices(res.enabled)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('builds LinkADRReq masks for sub-band 2', () => {
    expect(r.linkAdrChMasks(subBand2)).toEqual([{ chMask: 0x0002, chMaskCntl: 5 }]);
    expect(r.linkAdrChMasks(subBand2, { chMaskCntl5: false })).toEqual([
      { chMask: 0x0002, chMaskCntl: 7 },
      { chMask: 0xff00, chMaskCntl: 0 },
    ]);
    expect(r.linkAdrChMasks(all)).toEqual([{ chMask: 0x00ff, chMaskCntl: 6 }]);
    expect(r.linkAdrChMasks(flags((i) => i === 64))).toEqual([{ chMask: 0x0001, chMaskCntl: 7 }]);
    expect(() => r.linkAdrChMasks(none)).toThrow(expect.objectContaining({ code: 'BAD_FIELD' }));
  });

  it('the built masks turn any current state into the target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 72, maxLength: 72 }),
        fc.array(fc.boolean(), { minLength: 72, maxLength: 72 }),
        fc.boolean(),
        (current, target, cntl5) => {
          fc.pre(target.includes(true));
          const masks = r.linkAdrChMasks(target, { chMaskCntl5: cntl5 });
          expect(masks.length).toBeLessThanOrEqual(6);
          expect(r.applyChMasks(current, masks)).toEqual({ ok: true, enabled: target });
        },
      ),
    );
  });
});
