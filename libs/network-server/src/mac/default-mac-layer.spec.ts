import { AS923, encodeMacCommands, EU868, MacCommand, US915 } from '@lns/lorawan';
import { DefaultMacLayer } from './default-mac-layer';
import { MacLayerError } from './errors';
import { MacUplinkContext } from './mac-layer';
import { ctxFor, logs, NOW, stateFor, uplinkHistory } from './mac-test-support';
import { uplinkHistoryEntries } from './uplink-history';

const synced = (overrides = {}) => stateFor(EU868, { lastDevStatusRequestAt: NOW, ...overrides });
const wantedRx = { wantedRx1DrOffset: 1, wantedRx2DataRate: 3 };
const cids = (cmds: readonly MacCommand[]) => cmds.map((c) => c.cid);

describe('DefaultMacLayer.handleUplink', () => {
  const layer = new DefaultMacLayer();

  it('a device in sync with nothing to say needs no downlink', () => {
    const state = synced();
    expect(layer.handleUplink(state, [], ctxFor(EU868))).toEqual({ effects: [], needsDownlink: false });
    expect(uplinkHistoryEntries(state.uplinkHistory)).toEqual([
      { fCnt: 10, maxSnr: 5, gatewayCount: 1, txPower: 0 },
    ]);
  });

  it('needsDownlink false keeps its promise: the next downlink would carry no MAC command', () => {
    // The network server makes no downlink decision then (DataUplinkHandler): check it holds.
    const cases: Array<[ReturnType<typeof stateFor>, MacCommand[], MacUplinkContext]> = [
      [synced(), [], ctxFor(EU868)],
      [synced(), [{ cid: 'DevStatusAns', battery: 10, margin: 5 }], ctxFor(EU868)],
      [synced({ uplinkHistory: uplinkHistory(0) }), [], ctxFor(EU868, { fCntUp: 21 })],
      [stateFor(EU868), [], ctxFor(EU868)],
      [synced(), [{ cid: 'LinkCheckReq' }], ctxFor(EU868)],
      [synced(), [], ctxFor(EU868, wantedRx)],
    ];
    let quiet = 0;
    for (const [state, commands, ctx] of cases) {
      const { needsDownlink } = layer.handleUplink(state, commands, ctx);
      const sent = layer.nextDownlinkCommands(state, ctx, 242, 0);
      if (!needsDownlink) {
        quiet++;
        expect(sent).toEqual([]);
      } else expect(sent.length).toBeGreaterThan(0);
    }
    expect(quiet).toBeGreaterThanOrEqual(2);
  });

  it('ADRACKReq asks for a downlink even with nothing to send (L11 §4.3.1.1)', () => {
    expect(layer.handleUplink(synced(), [], ctxFor(EU868, { adrAckReq: true })).needsDownlink).toBe(true);
  });

  it('wanted settings that differ ask for a downlink', () => {
    expect(layer.handleUplink(synced(), [], ctxFor(EU868, wantedRx)).needsDownlink).toBe(true);
    expect(layer.handleUplink(stateFor(EU868), [], ctxFor(EU868)).needsDownlink).toBe(true); // DevStatusReq due
  });

  it('a data rate the network did not set: TX power back to max, ADR history restarted', () => {
    const state = synced({ dataRate: 5, txPower: 3, uplinkHistory: uplinkHistory(0, 3) });
    layer.handleUplink(state, [], ctxFor(EU868, { dataRate: 4, fCntUp: 100 }));
    expect(state).toMatchObject({ dataRate: 4, txPower: 0 });
    expect(uplinkHistoryEntries(state.uplinkHistory)).toEqual([
      { fCnt: 100, maxSnr: 5, gatewayCount: 1, txPower: 0 },
    ]);
  });

  it('keeps the last 20 uplinks; a repetition of the last FCnt keeps its best SNR', () => {
    const state = synced({ uplinkHistory: uplinkHistory(0) });
    layer.handleUplink(state, [], ctxFor(EU868, { fCntUp: 21, maxSnr: 1 }));
    layer.handleUplink(state, [], ctxFor(EU868, { fCntUp: 21, maxSnr: 3, gatewayCount: 2 }));
    expect(uplinkHistoryEntries(state.uplinkHistory)).toHaveLength(20);
    expect(uplinkHistoryEntries(state.uplinkHistory).at(-1)).toEqual({
      fCnt: 21,
      maxSnr: 3,
      gatewayCount: 2,
      txPower: 0,
    });
  });

  it('notes Class B and downlink-only commands without acting', () => {
    const { effects } = layer.handleUplink(
      synced(),
      [{ cid: 'PingSlotInfoReq', periodicity: 1 }],
      ctxFor(EU868),
    );
    expect(logs(effects)).toEqual(['INFO PingSlotInfoReq: Class B is not supported']);
  });

  it('answers are for the downlink right after their uplink: the next uplink drops stale ones', () => {
    const state = synced();
    layer.handleUplink(state, [{ cid: 'LinkCheckReq' }], ctxFor(EU868));
    expect(state.answers).toHaveLength(1);
    layer.handleUplink(state, [], ctxFor(EU868, { fCntUp: 11 }));
    expect(state.answers).toEqual([]);
  });
});

describe('DefaultMacLayer.nextDownlinkCommands', () => {
  const layer = new DefaultMacLayer();

  it('answers first, then requests, within maxBytes (FOpts: 15)', () => {
    const state = stateFor(EU868);
    const ctx = ctxFor(EU868, { ...wantedRx, wantedRxDelay: 3, gpsTimeMs: 1000 });
    layer.handleUplink(state, [{ cid: 'DeviceTimeReq' }, { cid: 'LinkCheckReq' }], ctx);
    const cmds = layer.nextDownlinkCommands(state, ctx, 15, 7);
    // DeviceTimeAns 6 + LinkCheckAns 3 + RXParamSetupReq 5 + DevStatusReq 1 = 15; RXTimingSetupReq (2) waits.
    expect(cids(cmds)).toEqual(['DeviceTimeAns', 'LinkCheckAns', 'RXParamSetupReq', 'DevStatusReq']);
    expect(encodeMacCommands(cmds)).toHaveLength(15);
    expect(state.pending.map((p) => [p.command.cid, p.sentInFCntDown, p.sentAt])).toEqual([
      ['RXParamSetupReq', 7, NOW],
      ['DevStatusReq', 7, NOW],
    ]);
    expect(state.answers).toEqual([]);
    // Pending requests are not sent again; the rest goes next.
    expect(cids(layer.nextDownlinkCommands(state, ctx, 15, 8))).toEqual(['RXTimingSetupReq']);
  });

  it('an FPort 0 downlink (larger maxBytes) carries everything; 0 bytes carries nothing', () => {
    const ctx = ctxFor(EU868, { ...wantedRx, wantedRxDelay: 3 });
    expect(layer.nextDownlinkCommands(stateFor(EU868), ctx, 0, 1)).toEqual([]);
    expect(cids(layer.nextDownlinkCommands(stateFor(EU868), ctx, 51, 1))).toEqual([
      'RXParamSetupReq',
      'RXTimingSetupReq',
      'DevStatusReq',
    ]);
  });

  it('a LinkADRReq block goes whole or not at all', () => {
    const state = stateFor(US915, { dataRate: 0, lastDevStatusRequestAt: NOW });
    state.enabledChannels = Array.from({ length: 72 }, (_, i) => i);
    const ctx = ctxFor(US915, { macVersion: '1.0.2', subBand: 2, dataRate: 0 });
    expect(layer.nextDownlinkCommands(state, ctx, 9, 1)).toEqual([]);
    expect(cids(layer.nextDownlinkCommands(state, ctx, 10, 1))).toEqual(['LinkADRReq', 'LinkADRReq']);
  });

  it('an unanswered request is sent again in the next downlink', () => {
    const state = synced();
    const ctx = ctxFor(EU868, wantedRx);
    expect(cids(layer.nextDownlinkCommands(state, ctx, 15, 1))).toEqual(['RXParamSetupReq']);
    const later: MacUplinkContext = { ...ctx, now: NOW + 60_000, fCntUp: 11 };
    expect(layer.handleUplink(state, [], later).needsDownlink).toBe(true);
    expect(state.pending).toEqual([]);
    expect(cids(layer.nextDownlinkCommands(state, later, 15, 2))).toEqual(['RXParamSetupReq']);
  });

  it('a request refused 3 times in a row is not sent a 4th time; a log says so', () => {
    const state = synced();
    let ctx = ctxFor(EU868, wantedRx);
    const refusal = {
      cid: 'RXParamSetupAns',
      rx1DrOffsetAck: true,
      rx2DataRateAck: false,
      channelAck: true,
    } as const;
    const allLogs: string[] = [];
    for (let i = 1; i <= 3; i++) {
      expect(cids(layer.nextDownlinkCommands(state, ctx, 15, i))).toEqual(['RXParamSetupReq']);
      ctx = { ...ctx, now: ctx.now + 60_000, fCntUp: ctx.fCntUp + 1 };
      allLogs.push(...logs(layer.handleUplink(state, [refusal], ctx).effects));
      // The sticky answer is repeated until a downlink arrives: nothing is asked meanwhile.
      expect(layer.nextDownlinkCommands(state, ctx, 15, 100 + i)).toEqual([]);
      ctx = { ...ctx, now: ctx.now + 60_000, fCntUp: ctx.fCntUp + 1 };
      layer.handleUplink(state, [], ctx);
    }
    expect(layer.nextDownlinkCommands(state, ctx, 15, 9)).toEqual([]);
    expect(allLogs.at(-1)).toBe(
      'WARNING RXParamSetupReq refused 3 times in a row: not sent again until the wanted settings change',
    );
    expect(layer.handleUplink(state, [], { ...ctx, fCntUp: 99 }).needsDownlink).toBe(false);
    // The profile changes: a new request, a new count.
    const changed = { ...ctx, wantedRx2DataRate: 2 };
    expect(layer.nextDownlinkCommands(state, changed, 15, 10)).toEqual([
      { cid: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 2, frequency: 869_525_000 },
    ]);
  });

  it('a request ignored 3 times is not sent a 4th time', () => {
    const state = synced();
    let ctx = ctxFor(EU868, { wantedRxDelay: 4 });
    for (let i = 1; i <= 3; i++) {
      expect(cids(layer.nextDownlinkCommands(state, ctx, 15, i))).toEqual(['RXTimingSetupReq']);
      ctx = { ...ctx, now: ctx.now + 60_000, fCntUp: ctx.fCntUp + 1 };
      layer.handleUplink(state, [], ctx);
    }
    expect(layer.nextDownlinkCommands(state, ctx, 15, 9)).toEqual([]);
    expect(state.rejections.RXTimingSetupReq).toBe(3);
  });

  it('version gates: no 1.1-only commands to 1.0.x devices', () => {
    const gated = new DefaultMacLayer({ adrAckLimitExp: 8 });
    expect(gated.nextDownlinkCommands(synced(), ctxFor(EU868, { macVersion: '1.0.4' }), 15, 1)).toEqual([]);
    expect(cids(gated.nextDownlinkCommands(synced(), ctxFor(EU868, { macVersion: '1.1.0' }), 15, 1))).toEqual(
      ['ADRParamSetupReq'],
    );
    // Queued without the device at hand: kept, but never sent to a 1.0.x device.
    const state = synced();
    gated.requestCommand(state, { cid: 'RejoinParamSetupReq', maxTimeN: 1, maxCountN: 1 });
    expect(gated.nextDownlinkCommands(state, ctxFor(EU868, { macVersion: '1.0.3' }), 15, 1)).toEqual([]);
  });

  it('TxParamSetupReq only where the region implements it', () => {
    const txParams = { uplinkDwellTime: false, downlinkDwellTime: false, maxEirpIndex: 9 };
    const l = new DefaultMacLayer({ txParams: { AS923: txParams, EU868: txParams } });
    const as923 = stateFor(AS923, { lastDevStatusRequestAt: NOW });
    expect(cids(l.nextDownlinkCommands(as923, ctxFor(AS923), 15, 1))).toEqual(['TxParamSetupReq']);
    expect(l.nextDownlinkCommands(synced(), ctxFor(EU868), 15, 1)).toEqual([]);
  });

  it('NewChannelReq before LinkADRReq, so a mask can enable the new channels', () => {
    const l = new DefaultMacLayer({
      extraChannels: { EU868: [{ frequency: 867_100_000, minDr: 0, maxDr: 5 }] },
    });
    const state = synced({ dataRate: 2, uplinkHistory: uplinkHistory(10) });
    expect(cids(l.nextDownlinkCommands(state, ctxFor(EU868, { dataRate: 2 }), 15, 1))).toEqual([
      'NewChannelReq',
      'LinkADRReq',
    ]);
  });

  it('uses the ADR algorithm it is given', () => {
    const l = new DefaultMacLayer({ adr: () => ({ dataRate: 1, txPower: 4, nbTrans: 2 }) });
    expect(l.nextDownlinkCommands(synced(), ctxFor(EU868), 15, 1)).toEqual([
      { cid: 'LinkADRReq', dataRate: 1, txPower: 4, nbTrans: 2, chMask: 0x0007, chMaskCntl: 0 },
    ]);
  });
});

describe('DefaultMacLayer.requestCommand', () => {
  const layer = new DefaultMacLayer();

  it('queues an operator request; it goes out until answered', () => {
    const state = synced({ rejections: { DevStatusReq: 3 } });
    layer.requestCommand(state, { cid: 'DevStatusReq' });
    expect(state.rejections).toEqual({});
    const ctx = ctxFor(EU868);
    expect(cids(layer.nextDownlinkCommands(state, ctx, 15, 1))).toEqual(['DevStatusReq']);
    const r = layer.handleUplink(state, [{ cid: 'DevStatusAns', battery: 0, margin: 4 }], {
      ...ctx,
      fCntUp: 11,
    });
    expect(r.effects).toEqual([{ kind: 'status', battery: 0, margin: 4 }]);
    expect(state.queued).toEqual([]);
  });

  it('refuses what is not a network request, naming the field', () => {
    const answer = { cid: 'LinkCheckAns', margin: 1, gwCnt: 1 } as MacCommand;
    expect(() => layer.requestCommand(synced(), answer)).toThrow(
      expect.objectContaining({ code: 'NOT_A_REQUEST', field: 'cid' }),
    );
    expect(() => layer.requestCommand(synced(), null as never)).toThrow(MacLayerError);
  });

  it('refuses a field out of range, naming it', () => {
    const bad = { cid: 'DutyCycleReq', maxDutyCycle: 16 } as MacCommand;
    expect(() => layer.requestCommand(synced(), bad)).toThrow(
      expect.objectContaining({ code: 'BAD_COMMAND', field: 'maxDutyCycle' }),
    );
  });

  it.each([
    [
      'ForceRejoinReq',
      { cid: 'ForceRejoinReq', period: 0, maxRetries: 0, rejoinType: 0, dataRate: 0 },
      EU868,
      '1.0.4',
    ],
    ['DlChannelReq', { cid: 'DlChannelReq', chIndex: 0, frequency: 923_900_000 }, US915, '1.0.4'],
    [
      'TxParamSetupReq',
      { cid: 'TxParamSetupReq', uplinkDwellTime: true, downlinkDwellTime: true, maxEirp: 1 },
      EU868,
      '1.0.4',
    ],
    [
      'NewChannelReq',
      { cid: 'NewChannelReq', chIndex: 3, frequency: 903_000_000, minDr: 0, maxDr: 3 },
      US915,
      '1.0.4',
    ],
  ] as const)('refuses %s the device does not know', (_name, cmd, region, macVersion) => {
    expect(() => layer.requestCommand(synced(), cmd as MacCommand, { region, macVersion })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMMAND' }),
    );
  });
});

describe('DefaultMacLayer options and initialState', () => {
  it('refuses out-of-range options', () => {
    expect(() => new DefaultMacLayer({ maxRejections: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_SETTING', field: 'maxRejections' }),
    );
    expect(() => new DefaultMacLayer({ devStatusIntervalMs: -1 })).toThrow(MacLayerError);
  });

  it('builds the initial state from the region', () => {
    const state = new DefaultMacLayer().initialState(US915, {
      rx1DrOffset: 0,
      rx2DataRate: 8,
      rx2Frequency: 923_300_000,
      rxDelay: 1,
      deviceClass: 'C',
    });
    expect(state.enabledChannels).toHaveLength(72);
    expect(state.deviceClass).toBe('C');
  });
});
