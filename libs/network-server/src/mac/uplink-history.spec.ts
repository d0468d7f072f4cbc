import { ctxFor, stateFor } from './mac-test-support';
import { getRegion } from '@lns/lorawan';
import {
  recordUplink,
  toUplinkHistory,
  upgradeUplinkHistory,
  UPLINK_HISTORY_STRIDE,
  uplinkHistoryEntries,
} from './uplink-history';
import { ADR_HISTORY_LENGTH } from './adr';
import { MacState } from './mac-state';

const EU868 = getRegion('EU868');

describe('uplink history (ADR)', () => {
  it('appends four numbers per uplink: FCnt, best SNR, gateways, TXPower in force', () => {
    const state = stateFor(EU868, { txPower: 2 });
    recordUplink(state, ctxFor(EU868, { fCntUp: 7, maxSnr: -3.5, gatewayCount: 2 }));
    expect(state.uplinkHistory).toEqual([7, -3.5, 2, 2]);
    expect(uplinkHistoryEntries(state.uplinkHistory)).toEqual([
      { fCnt: 7, maxSnr: -3.5, gatewayCount: 2, txPower: 2 },
    ]);
  });

  it('a repetition of the last FCnt (NbTrans) only improves its entry', () => {
    const state = stateFor(EU868);
    recordUplink(state, ctxFor(EU868, { fCntUp: 7, maxSnr: -3, gatewayCount: 1 }));
    recordUplink(state, ctxFor(EU868, { fCntUp: 7, maxSnr: 4, gatewayCount: 3 }));
    recordUplink(state, ctxFor(EU868, { fCntUp: 7, maxSnr: 0, gatewayCount: 2 }));
    expect(uplinkHistoryEntries(state.uplinkHistory)).toEqual([
      { fCnt: 7, maxSnr: 4, gatewayCount: 3, txPower: 0 },
    ]);
  });

  it('keeps the last 20 uplinks, oldest first', () => {
    const state = stateFor(EU868);
    for (let f = 1; f <= 25; f++)
      recordUplink(state, ctxFor(EU868, { fCntUp: f, maxSnr: f, gatewayCount: 1 }));
    const entries = uplinkHistoryEntries(state.uplinkHistory);
    expect(entries).toHaveLength(ADR_HISTORY_LENGTH);
    expect(state.uplinkHistory).toHaveLength(ADR_HISTORY_LENGTH * UPLINK_HISTORY_STRIDE);
    expect(entries.map((e) => e.fCnt)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
  });

  it('is small in the MAC state JSON written with every commit (20 uplinks well under 400 bytes)', () => {
    const state = stateFor(EU868);
    for (let f = 1000; f < 1020; f++)
      recordUplink(state, ctxFor(EU868, { fCntUp: f, maxSnr: 7.25, gatewayCount: 3 }));
    expect(JSON.stringify(state.uplinkHistory).length).toBeLessThan(400);
    const asObjects = JSON.stringify(uplinkHistoryEntries(state.uplinkHistory));
    expect(asObjects.length).toBeGreaterThan(1_000); // the form sessions were written in before
  });

  it('reads a history stored as entry objects (sessions written before the flat form) as flat', () => {
    const entries = [
      { fCnt: 1, maxSnr: 5, gatewayCount: 1, txPower: 0 },
      { fCnt: 3, maxSnr: -2, gatewayCount: 2, txPower: 1 },
    ];
    const old = JSON.parse(JSON.stringify({ ...stateFor(EU868), uplinkHistory: entries })) as MacState;
    upgradeUplinkHistory(old);
    expect(old.uplinkHistory).toEqual([1, 5, 1, 0, 3, -2, 2, 1]);
    expect(old.uplinkHistory).toEqual(toUplinkHistory(entries));

    const flat = { ...stateFor(EU868), uplinkHistory: [1, 5, 1, 0] };
    upgradeUplinkHistory(flat);
    expect(flat.uplinkHistory).toEqual([1, 5, 1, 0]);

    const missing = { ...stateFor(EU868) } as Partial<MacState>;
    delete missing.uplinkHistory;
    upgradeUplinkHistory(missing as MacState);
    expect(missing.uplinkHistory).toEqual([]);
  });
});
