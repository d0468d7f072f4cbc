import { KeyCipher } from '@lns/storage';
import { contextFor, sessionFor } from '../uplink/ns-test-support';
import { InMemorySessionStore } from './in-memory-session-store';
import { SessionRepository } from './session-repository';

/**
 * The DevAddr index holds a DevAddr's one session itself and an array only when several share it
 * (DevAddr reuse is legal, the MIC decides): what byDevAddr answers must not depend on which.
 */
describe('InMemorySessionStore DevAddr index', () => {
  const repository = {
    async *loadInChunks() {},
    async saveMany(rows: unknown[]) {
      return rows.map(() => undefined);
    },
    async delete() {},
    async updateCounters() {},
    async startWriter() {
      return false;
    },
    async stopWriter() {},
  };
  const eui = (i: number) => i.toString(16).padStart(16, '0');
  const ADDR = 0xfe000001; // above 2^31: the index must use the unsigned value throughout

  async function storeWith(devAddrs: number[]): Promise<InMemorySessionStore> {
    const store = new InMemorySessionStore(
      repository as unknown as SessionRepository,
      new KeyCipher(Buffer.alloc(32, 1)),
    );
    for (const [i, devAddr] of devAddrs.entries()) {
      await store.activate(sessionFor(contextFor({ devEui: eui(i) }), { devAddr }));
    }
    return store;
  }
  const euis = (store: InMemorySessionStore, devAddr: number) =>
    store.byDevAddr(devAddr).map((s) => s.devEui);

  it('answers one session, then several, then one again as devices share and leave a DevAddr', async () => {
    const store = await storeWith([ADDR]);
    expect(euis(store, ADDR)).toEqual([eui(0)]);
    expect(euis(store, ADDR | 0)).toEqual([eui(0)]);
    expect(store.devAddrInUse(ADDR)).toBe(true);

    await store.activate(sessionFor(contextFor({ devEui: eui(1) }), { devAddr: ADDR }));
    await store.activate(sessionFor(contextFor({ devEui: eui(2) }), { devAddr: ADDR }));
    const three = store.byDevAddr(ADDR);
    expect(three.map((s) => s.devEui)).toEqual([eui(0), eui(1), eui(2)]);

    await store.remove(eui(1));
    expect(euis(store, ADDR)).toEqual([eui(0), eui(2)]);
    expect(three).toHaveLength(3); // a removal leaves an answer already given as it was
    await store.remove(eui(0));
    expect(euis(store, ADDR)).toEqual([eui(2)]);
    expect(store.byDevAddr(ADDR)[0]).toBe(store.byDevEui(eui(2)));
    await store.remove(eui(2));
    expect(store.byDevAddr(ADDR)).toEqual([]);
    expect(store.devAddrInUse(ADDR)).toBe(false);
  });

  it('moves a re-activated device to its new DevAddr, leaving the other sharer of the old one', async () => {
    const store = await storeWith([ADDR, ADDR, 7]);
    await store.activate(sessionFor(contextFor({ devEui: eui(0) }), { devAddr: 7 }));
    expect(euis(store, ADDR)).toEqual([eui(1)]);
    expect(euis(store, 7)).toEqual([eui(2), eui(0)]);
    await store.activate(sessionFor(contextFor({ devEui: eui(1) }), { devAddr: 8 }));
    expect(store.devAddrInUse(ADDR)).toBe(false);
    expect(euis(store, 8)).toEqual([eui(1)]);
    expect(store.size()).toBe(3);
  });
});
