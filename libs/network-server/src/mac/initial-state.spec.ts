import { AS923, encodeCFList, EU868, US915 } from '@lns/lorawan';
import { MacLayerError } from './errors';
import { buildInitialState, MacStateInit } from './initial-state';

const init = (overrides: Partial<MacStateInit> = {}): MacStateInit => ({
  rx1DrOffset: 1,
  rx2DataRate: 3,
  rx2Frequency: 869_525_000,
  rxDelay: 0,
  deviceClass: 'A',
  ...overrides,
});

describe('initialState', () => {
  it('takes the region boot values and the join-accept receive settings', () => {
    expect(buildInitialState(EU868, init())).toEqual({
      dataRate: 0,
      txPower: 0,
      nbTrans: 1,
      enabledChannels: [0, 1, 2],
      extraChannels: {},
      rx1DrOffset: 1,
      rx2DataRate: 3,
      rx2Frequency: 869_525_000,
      rxDelay: 1,
      maxDutyCycle: 0,
      uplinkDwellTime: false,
      downlinkDwellTime: false,
      uplinkHistory: [],
      pending: [],
      rejections: {},
      answers: [],
      deviceClass: 'A',
    });
    expect(
      buildInitialState(AS923, init({ rx2DataRate: 2, rx2Frequency: 923_200_000 })).uplinkDwellTime,
    ).toBe(true);
    expect(
      buildInitialState(US915, init({ rx2DataRate: 8, rx2Frequency: 923_300_000 })).enabledChannels,
    ).toHaveLength(72);
  });

  it('CFList type 0 adds channels 3.. with the default data-rate range; 0 = unused', () => {
    const cfList = encodeCFList({ type: 0, frequencies: [867_100_000, 867_300_000, 0, 0, 0] });
    const state = buildInitialState(EU868, init({ cfList }));
    expect(state.enabledChannels).toEqual([0, 1, 2, 3, 4]);
    expect(state.extraChannels).toEqual({
      3: { frequency: 867_100_000, minDr: 0, maxDr: 5 },
      4: { frequency: 867_300_000, minDr: 0, maxDr: 5 },
    });
  });

  it('CFList type 1 sets the US915 channel mask (sub-band 2)', () => {
    const cfList = encodeCFList({ type: 1, chMasks: [0xff00, 0, 0, 0, 0x0002] });
    const state = buildInitialState(US915, init({ rx2DataRate: 8, rx2Frequency: 923_300_000, cfList }));
    expect(state.enabledChannels).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
  });

  it('a CFList of the other type, or a mask enabling nothing, is ignored as the device ignores it', () => {
    const type1 = encodeCFList({ type: 1, chMasks: [0x00ff] });
    expect(buildInitialState(EU868, init({ cfList: type1 })).enabledChannels).toEqual([0, 1, 2]);
    const empty = encodeCFList({ type: 1, chMasks: [0, 0, 0, 0, 0] });
    const us = buildInitialState(US915, init({ rx2DataRate: 8, rx2Frequency: 923_300_000, cfList: empty }));
    expect(us.enabledChannels).toHaveLength(72);
  });

  it('an unreadable CFList is a typed error', () => {
    expect(() => buildInitialState(EU868, init({ cfList: Buffer.alloc(15) }))).toThrow(MacLayerError);
    try {
      buildInitialState(EU868, init({ cfList: Buffer.from('00'.repeat(15) + '07', 'hex') }));
    } catch (e) {
      expect(e).toMatchObject({ code: 'BAD_CFLIST', field: 'cfList' });
    }
  });

  it.each([
    ['rx1DrOffset', { rx1DrOffset: 6 }],
    ['rx2DataRate', { rx2DataRate: 14 }],
    ['rx2Frequency', { rx2Frequency: -1 }],
    ['rxDelay', { rxDelay: 16 }],
    ['deviceClass', { deviceClass: 'B' as never }],
  ])('a bad %s names the field', (field, bad) => {
    expect(() => buildInitialState(EU868, init(bad))).toThrow(
      expect.objectContaining({ code: 'BAD_SETTING', field }),
    );
  });
});
