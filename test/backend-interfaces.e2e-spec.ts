import request from 'supertest';
import { VirtualDevice } from '@lns/simulator';
import {
  createApplication,
  createDeviceProfile,
  createOtaaDevice,
  virtualOtaaDevice,
} from './support/fixtures';
import { InProcessLns, startLnsInProcess } from './support/in-process-lns';

const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const JOIN_EUI = '70b3d57ed00000b1';
const PEER_TOKEN = 'the-other-network-0123456789';
/** This network server's own NetID as a peer too (its QR provisioning claims devices for it). */
const HOME_TOKEN = 'this-network-000013-0123456789';

/**
 * apps/lns as another network's external join server: its embedded join server answers Backend
 * Interfaces requests for its own local OTAA devices (`POST /api/backend-interfaces`, not behind the
 * admin token: the configured peers authenticate with their own token).
 */
describe('apps/lns: the embedded join server over the Backend Interfaces', () => {
  let lns: InProcessLns;
  let profile: string;
  const bi = () => request(`http://127.0.0.1:${lns.httpPort}`).post('/api/backend-interfaces');

  async function localDevice(devEui: string, endToEnd: boolean): Promise<VirtualDevice> {
    const app = await createApplication(lns.api, { name: `app-${devEui}`, endToEnd });
    await createOtaaDevice(lns.api, {
      devEui,
      joinEui: JOIN_EUI,
      applicationId: app,
      deviceProfileId: profile,
      joinServer: 'local',
      appKey: APP_KEY,
    });
    return virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
  }

  function joinReq(d: VirtualDevice) {
    return {
      ProtocolVersion: '1.1',
      SenderID: 'C00053',
      ReceiverID: JOIN_EUI.toUpperCase(),
      TransactionID: 42,
      MessageType: 'JoinReq',
      MACVersion: '1.0.4',
      PHYPayload: d.joinRequest().phyPayload.toString('hex').toUpperCase(),
      DevEUI: d.devEui.toString('hex').toUpperCase(),
      DevAddr: 'FC00AC01',
      DLSettings: '00',
      RxDelay: 1,
    };
  }

  beforeAll(async () => {
    lns = await startLnsInProcess({
      LNS_NET_ID: '000013',
      LNS_BACKEND_INTERFACES_PEERS: JSON.stringify([
        { senderId: 'c00053', token: PEER_TOKEN },
        { senderId: '000013', token: HOME_TOKEN },
      ]),
    });
    profile = await createDeviceProfile(lns.api, { name: 'eu', region: 'EU868', macVersion: '1.0.4' });
  });
  afterAll(async () => lns?.close());

  it('answers a peer network server with a join-accept for its NetID and DevAddr (any hex case in, lowercase out)', async () => {
    const d = await localDevice('00000000000b0101', false);
    const res = await bi().set('Authorization', `Bearer ${PEER_TOKEN}`).send(joinReq(d)).expect(200);
    expect(res.body).toMatchObject({
      ProtocolVersion: '1.1',
      SenderID: JOIN_EUI.toUpperCase(),
      ReceiverID: 'C00053',
      TransactionID: 42,
      MessageType: 'JoinAns',
      Result: { ResultCode: 'Success' },
      NwkSKey: { KEKLabel: '', AESKey: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(d.handleJoinAccept(Buffer.from(res.body.PHYPayload, 'hex'))).toBe(true);
    expect(d.state()).toMatchObject({ devAddr: 0xfc00ac01, netId: 0xc00053 });
  });

  it("an end-to-end application's device is not answered while its application has no ASTK", async () => {
    const d = await localDevice('00000000000b0102', true);
    const res = await bi().set('Authorization', `Bearer ${PEER_TOKEN}`).send(joinReq(d)).expect(200);
    expect(res.body.Result).toEqual({
      ResultCode: 'Other',
      Description: expect.stringContaining('end-to-end application with no AS transport key'),
    });
    expect(res.body).not.toHaveProperty('AppSKey');
  });

  it('answers a manufacturer device only once claimed, and only for the NetID the claim named', async () => {
    const imported = await lns.api
      .post('/api/js/devices')
      .send([
        { devEui: '00000000000b0104', joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.4' },
        { devEui: '00000000000b0105', joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.4' },
      ])
      .expect(201);
    const [mine, theirs] = imported.body as Array<{ devEui: string; ownerToken: string }>;
    const device = (devEui: string) =>
      virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
    const ask = async (d: VirtualDevice) =>
      (await bi().set('Authorization', `Bearer ${PEER_TOKEN}`).send(joinReq(d)).expect(200)).body;

    // Before any claim nobody may activate it, even an authenticated peer.
    const unclaimed = await ask(device(mine.devEui));
    expect(unclaimed.Result).toEqual({
      ResultCode: 'ActivationDisallowed',
      Description: expect.stringMatching(/not claimed/),
    });
    expect(unclaimed).not.toHaveProperty('PHYPayload');

    // Claimed for another network: still refused to this peer.
    await request(`http://127.0.0.1:${lns.httpPort}`)
      .post('/api/js/claims')
      .send({ devEui: theirs.devEui, ownerToken: theirs.ownerToken, homeNetId: '000099' })
      .expect(200);
    expect((await ask(device(theirs.devEui))).Result).toEqual({
      ResultCode: 'ActivationDisallowed',
      Description: 'device claimed for NetID 000099, not C00053',
    });

    // Claimed for this peer's NetID: answered.
    await request(`http://127.0.0.1:${lns.httpPort}`)
      .post('/api/js/claims')
      .send({ devEui: mine.devEui, ownerToken: mine.ownerToken, homeNetId: 'C00053' })
      .expect(200);
    const d = device(mine.devEui);
    const ok = await ask(d);
    expect(ok.Result.ResultCode).toBe('Success');
    expect(d.handleJoinAccept(Buffer.from(ok.PHYPayload, 'hex'))).toBe(true);
  });

  it("AppSKeyReq: only the claim's NetID, and never the previous owner's session after a release and a new claim", async () => {
    const devEui = '00000000000b0106';
    const [issued] = (
      await lns.api
        .post('/api/js/devices?qr=true')
        .send([{ devEui, joinEui: JOIN_EUI, appKey: APP_KEY, macVersion: '1.0.4' }])
        .expect(201)
    ).body as Array<{ ownerToken: string; qr: string }>;
    const app = await createApplication(lns.api, { name: 'released' });
    const provision = (qr: string) =>
      lns.api.post('/api/devices/qr').send({ qr, applicationId: app, deviceProfileId: profile }).expect(201);
    const asHome = (body: object) => bi().set('Authorization', `Bearer ${HOME_TOKEN}`).send(body).expect(200);
    const d = virtualOtaaDevice({ devEui, joinEui: JOIN_EUI, macVersion: '1.0.4', appKey: APP_KEY });
    const appSKeyReq = (senderId: string, sessionKeyId: string) => ({
      ProtocolVersion: '1.1',
      SenderID: senderId,
      ReceiverID: JOIN_EUI.toUpperCase(),
      TransactionID: 43,
      MessageType: 'AppSKeyReq',
      DevEUI: devEui.toUpperCase(),
      SessionKeyID: sessionKeyId,
    });

    // QR provisioning claims it for this network (000013); a join through it makes a session.
    await provision(issued.qr);
    const joined = (await asHome({ ...joinReq(d), SenderID: '000013' })).body;
    expect(joined.Result.ResultCode).toBe('Success');
    const oldSession = joined.SessionKeyID as string;
    expect((await asHome(appSKeyReq('000013', oldSession))).body).toMatchObject({
      Result: { ResultCode: 'Success' },
      AppSKey: { AESKey: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    // Another network, even an authenticated peer, gets no key of it.
    const other = await bi()
      .set('Authorization', `Bearer ${PEER_TOKEN}`)
      .send(appSKeyReq('C00053', oldSession))
      .expect(200);
    expect(other.body.Result).toEqual({
      ResultCode: 'Other',
      Description: 'device claimed for NetID 000013, not C00053',
    });
    expect(other.body).not.toHaveProperty('AppSKey');

    // Deleted here: the claim is released, and with it the session.
    await lns.api.delete(`/api/devices/${devEui}`).expect(204);
    const released = (await asHome(appSKeyReq('000013', oldSession))).body;
    expect(released.Result).toEqual({
      ResultCode: 'Other',
      Description: expect.stringMatching(/not claimed/),
    });
    expect(released).not.toHaveProperty('AppSKey');

    // A new owner (a new token, provisioned again on this network): the old SessionKeyID opens nothing.
    const renewed = (await lns.api.post(`/api/js/devices/${devEui}/owner-token`).expect(201)).body;
    await provision(renewed.qr);
    const stale = (await asHome(appSKeyReq('000013', oldSession))).body;
    expect(stale).toMatchObject({ MessageType: 'AppSKeyAns', Result: { ResultCode: 'Other' } });
    expect(stale).not.toHaveProperty('AppSKey');
  });

  it('is not behind the admin token, and refuses callers that are not peers with UnknownSender', async () => {
    const d = await localDevice('00000000000b0103', false);
    const asAdmin = await lns.api.post('/api/backend-interfaces').send(joinReq(d)).expect(200);
    expect(asAdmin.body.Result.ResultCode).toBe('UnknownSender');
    const res = await bi()
      .send({ ...joinReq(d), SenderID: '000013' })
      .expect(200);
    expect(res.body).toMatchObject({
      ReceiverID: '000013',
      MessageType: 'JoinAns',
      Result: { ResultCode: 'UnknownSender' },
    });
  });
});
