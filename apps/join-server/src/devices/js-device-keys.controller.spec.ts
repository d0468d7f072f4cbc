import { ConflictException } from '@nestjs/common';
import { DeviceOwnershipRegistry, JoinServerService } from '@lns/join-server';
import { JsDeviceKeysController } from './js-device-keys.controller';
import { JsDeviceKeysDto } from './js-device-keys.dto';

const KEYS: JsDeviceKeysDto = {
  joinEui: '70b3d57ed0000001',
  macVersion: '1.0.4',
  appKey: '2b7e151628aed2a6abf7158809cf4f3c',
};

describe('JsDeviceKeysController (standalone join server)', () => {
  const manufacturers = new Set(['0004a30b00000001']);
  const js = {
    upsertDeviceKeys: jest.fn(async () => ({ created: true })),
    deleteDevice: jest.fn(async () => true),
  };
  const ownerships = {
    ownershipOf: (devEui: string) =>
      manufacturers.has(devEui.toLowerCase()) ? { devEui, claimed: false } : undefined,
  };
  const controller = new JsDeviceKeysController(
    js as unknown as JoinServerService,
    ownerships as unknown as DeviceOwnershipRegistry,
  );
  const res = { status: jest.fn() };

  beforeEach(() => jest.clearAllMocks());

  it("refuses a manufacturer's device its keys (409 naming devEui): DELETE first is the operator's way", async () => {
    const err = await controller.put('0004A30B00000001', KEYS, res).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictException);
    const body = (err as ConflictException).getResponse() as { fields: unknown };
    expect(body.fields).toEqual([
      {
        field: 'devEui',
        reason: expect.stringMatching(
          /manufacturer's device.*owner token.*DELETE \/api\/join-server\/devices/,
        ),
      },
    ]);
    expect(js.upsertDeviceKeys).not.toHaveBeenCalled();

    // Deleted, the record goes with it (ON DELETE CASCADE): the operator's PUT then creates its own device.
    await controller.remove('0004a30b00000001');
    manufacturers.delete('0004a30b00000001');
    await expect(controller.put('0004a30b00000001', KEYS, res)).resolves.toEqual({ created: true });
    expect(res.status).toHaveBeenCalledWith(201);
  });

  it("puts an operator's device's keys as before", async () => {
    await expect(controller.put('0004a30b00000002', KEYS, res)).resolves.toEqual({ created: true });
    expect(js.upsertDeviceKeys).toHaveBeenCalledWith({ devEui: '0004a30b00000002', ...KEYS });
  });
});
