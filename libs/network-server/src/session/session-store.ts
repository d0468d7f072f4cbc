import { DelayHistogram } from '../delay-histogram';
import { DeviceSession } from './device-session';

/**
 * The sessions of every activated device, in memory, indexed by DevAddr and DevEUI, and
 * written through to the database. No database read on the uplink path: everything is
 * loaded at start.
 *
 * Durability: `activate` and `remove` are awaited writes. Counter and MAC-state changes are
 * marked with `markDirty` and written in group commits; `flushBeforePublish()` resolves once
 * every change marked so far is committed, so an uplink's event is published only after its
 * FCntUp is on disk (issue: "a session and its counters are persisted before the uplink's
 * event is published").
 */
export abstract class SessionStore {
  /** Sessions sharing this DevAddr (DevAddr reuse is legal; the MIC decides). */
  abstract byDevAddr(devAddr: number): readonly DeviceSession[];
  abstract byDevEui(devEui: string): DeviceSession | undefined;
  /** Persists (awaited) and indexes a new session, replacing the device's previous one. */
  abstract activate(session: DeviceSession): Promise<void>;
  abstract remove(devEui: string): Promise<void>;
  abstract markDirty(session: DeviceSession): void;
  /**
   * Resolves when every session marked dirty before this call is committed; `urgent` when a
   * downlink waits on it (the commit goes at once instead of gathering more changes).
   */
  abstract flushBeforePublish(urgent?: boolean): Promise<void>;
  abstract size(): number;
  /** How long group commits take, where the store has them (for metrics). */
  get commitTimes(): DelayHistogram | undefined {
    return undefined;
  }
  /** Every DevAddr in use (for collision-free allocation at join). */
  abstract devAddrInUse(devAddr: number): boolean;
}
