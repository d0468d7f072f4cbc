import { ModuleRef } from '@nestjs/core';
import { JoinServerError, JoinServerService } from '@lns/join-server';
import { SessionStore } from '../session/session-store';
import { JoinServerRootKeys } from './join-server-root-keys';
import { RegistryValidationError } from './registry-errors';
import { RegistryPeers } from './registry-peers';
import { RootKeyStore } from './root-key-store';

function moduleRef(providers: Map<unknown, unknown>) {
  const get = jest.fn((token: unknown) => {
    if (!providers.has(token)) throw new Error('Nest could not find the element');
    return providers.get(token);
  });
  return { ref: { get } as unknown as ModuleRef, get };
}

describe('RegistryPeers', () => {
  it('finds a peer anywhere in the application and remembers it', () => {
    const store = {} as SessionStore;
    const { ref, get } = moduleRef(new Map([[SessionStore, store]]));
    const peers = new RegistryPeers(ref);
    expect(peers.sessions()).toBe(store);
    expect(peers.sessions()).toBe(store);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(SessionStore, { strict: false });
  });

  it('answers undefined while a peer is missing, and finds it once it is there', () => {
    const providers = new Map<unknown, unknown>();
    const peers = new RegistryPeers(moduleRef(providers).ref);
    expect(peers.sessions()).toBeUndefined();
    expect(peers.rootKeys()).toBeUndefined();
    expect(peers.joinServers()).toBeUndefined();
    const store = {} as SessionStore;
    providers.set(SessionStore, store);
    expect(peers.sessions()).toBe(store);
  });

  it('prefers a RootKeyStore provided as such, else wraps the embedded join server', () => {
    const js = {} as JoinServerService;
    const peers = new RegistryPeers(moduleRef(new Map([[JoinServerService, js]])).ref);
    expect(peers.rootKeys()).toBeInstanceOf(JoinServerRootKeys);
    const own = {} as RootKeyStore;
    const peers2 = new RegistryPeers(
      moduleRef(
        new Map<unknown, unknown>([
          [JoinServerService, js],
          [RootKeyStore, own],
        ]),
      ).ref,
    );
    expect(peers2.rootKeys()).toBe(own);
  });
});

describe('JoinServerRootKeys', () => {
  const keys = { devEui: '0102030405060708', joinEui: '70b3d57ed0000000', macVersion: '1.1.0' as const };

  it('hands the keys to JoinServerService.upsertDeviceKeys and deletes with deleteDevice', async () => {
    const js = {
      upsertDeviceKeys: jest.fn(async () => ({ created: true })),
      deleteDevice: jest.fn(async () => true),
    };
    const store = new JoinServerRootKeys(js as unknown as JoinServerService);
    await store.upsertDeviceKeys({ ...keys, appKey: Buffer.alloc(16, 1), nwkKey: Buffer.alloc(16, 2) });
    expect(js.upsertDeviceKeys).toHaveBeenCalledWith({
      ...keys,
      appKey: Buffer.alloc(16, 1),
      nwkKey: Buffer.alloc(16, 2),
    });
    await store.removeDeviceKeys('0102030405060708');
    expect(js.deleteDevice).toHaveBeenCalledWith('0102030405060708');
  });

  it("turns the join server's field errors into the registry's", async () => {
    const js = {
      upsertDeviceKeys: jest.fn(async () => {
        throw new JoinServerError('BAD_FIELD', 'nwkKey is required', 'nwkKey');
      }),
    };
    const store = new JoinServerRootKeys(js as unknown as JoinServerService);
    const err = await store.upsertDeviceKeys({ ...keys, appKey: Buffer.alloc(16) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryValidationError);
    expect((err as RegistryValidationError).fields).toEqual([
      { field: 'nwkKey', reason: 'nwkKey is required' },
    ]);
  });
});
