import { EU868 } from '@lns/lorawan';
import { DefaultMacLayer } from './default-mac-layer';
import { forceRejoinRequester } from './force-rejoin';
import { ctxFor, stateFor } from './mac-test-support';

describe('ForceRejoinReq', () => {
  it('LoRaWAN 1.1 only; has no answer', () => {
    expect(forceRejoinRequester.supported({ region: EU868, macVersion: '1.1.0' })).toBe(true);
    expect(forceRejoinRequester.supported({ region: EU868, macVersion: '1.0.4' })).toBe(false);
    expect(forceRejoinRequester.answered).toBe(false);
  });

  it('is sent once, last, and never pending', () => {
    const layer = new DefaultMacLayer();
    const state = stateFor(EU868, { lastDevStatusRequestAt: Date.now() });
    const ctx = ctxFor(EU868, { macVersion: '1.1.0', now: state.lastDevStatusRequestAt });
    const req = { cid: 'ForceRejoinReq', period: 2, maxRetries: 3, rejoinType: 0, dataRate: 1 } as const;
    layer.requestCommand(state, req);
    layer.requestCommand(state, { cid: 'DutyCycleReq', maxDutyCycle: 1 });
    expect(layer.nextDownlinkCommands(state, ctx, 15, 1)).toEqual([
      { cid: 'DutyCycleReq', maxDutyCycle: 1 },
      req,
    ]);
    expect(state.pending.map((p) => p.command.cid)).toEqual(['DutyCycleReq']);
    expect(layer.nextDownlinkCommands(state, ctx, 15, 2)).toEqual([]);
  });
});
