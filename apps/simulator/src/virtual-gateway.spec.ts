import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { VirtualGateway } from './virtual-gateway';

const EUI = '0016C001FF10A235';

/** A minimal server written from PROTOCOL.TXT: records what arrives, acks on request. */
class FakeServer {
  readonly received: Array<{ msg: Buffer; from: RemoteInfo }> = [];
  ack = true;
  private socket!: Socket;
  private waiters: Array<() => void> = [];

  async start(): Promise<number> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, from) => {
      this.received.push({ msg, from });
      if (this.ack && (msg[3] === 0x00 || msg[3] === 0x02)) {
        this.socket.send(
          Buffer.from([msg[0], msg[1], msg[2], msg[3] === 0x00 ? 0x01 : 0x04]),
          from.port,
          from.address,
        );
      }
      this.waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  send(buf: Buffer, to: RemoteInfo): void {
    this.socket.send(buf, to.port, to.address);
  }

  async waitFor(count: number, timeoutMs = 1000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > end) throw new Error(`only ${this.received.length} datagrams`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  lastOfType(type: number): { msg: Buffer; from: RemoteInfo } {
    const found = this.received.filter((r) => r.msg[3] === type).at(-1);
    if (!found) throw new Error(`no datagram of type ${type}`);
    return found;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe('VirtualGateway', () => {
  let server: FakeServer;
  let port: number;
  const gateways: VirtualGateway[] = [];

  function gateway(over: Partial<ConstructorParameters<typeof VirtualGateway>[0]> = {}): VirtualGateway {
    const gw = new VirtualGateway({ gatewayId: EUI, port, ackTimeoutMs: 300, ...over });
    gateways.push(gw);
    return gw;
  }

  beforeEach(async () => {
    server = new FakeServer();
    port = await server.start();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await server.close();
  });

  it.each([1, 2] as const)(
    'starts with a 12-byte PULL_DATA (version %i) from its down socket',
    async (version) => {
      const gw = gateway({ protocolVersion: version });
      await gw.start();
      const pull = server.lastOfType(0x02);
      expect(pull.msg).toHaveLength(12);
      expect(pull.msg[0]).toBe(version);
      expect(pull.msg.subarray(4, 12).toString('hex')).toBe(EUI.toLowerCase());
      expect(pull.from.port).toBe(gw.ports.down);
      expect(gw.counters.pullAcked).toBe(1);
    },
  );

  it('sends a realistic rxpk from its up socket and resolves at the PUSH_ACK of that token', async () => {
    const gw = gateway();
    await gw.start();
    const phy = Buffer.from('40e2050026800100016e0ad5aa', 'hex');
    const sent = await gw.sendUplink(phy, {
      spreadingFactor: 9,
      frequency: 868_300_000,
      rssi: -80,
      snr: 7.5,
    });
    const push = server.lastOfType(0x00);
    expect(push.from.port).toBe(gw.ports.up);
    expect(push.msg.readUInt16BE(1)).toBe(sent.token);
    const rxpk = JSON.parse(push.msg.toString('utf8', 12)).rxpk[0];
    expect(rxpk).toMatchObject({
      chan: 0,
      rfch: 0,
      freq: 868.3,
      stat: 1,
      modu: 'LORA',
      datr: 'SF9BW125',
      codr: '4/5',
      rssi: -80,
      lsnr: 7.5,
      size: phy.length,
      data: phy.toString('base64'),
    });
    expect(rxpk.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Number.isInteger(rxpk.tmst)).toBe(true);
  });

  it('rejects when no PUSH_ACK comes', async () => {
    const gw = gateway();
    await gw.start();
    server.ack = false;
    await expect(gw.sendUplink(Buffer.from([1]))).rejects.toThrow(/no PUSH_ACK/);
  });

  it('ignores an ACK with another token (out of sync)', async () => {
    const gw = gateway();
    await gw.start();
    server.ack = false;
    const pending = gw.sendStat();
    await server.waitFor(2);
    const push = server.lastOfType(0x00);
    const wrong = (push.msg.readUInt16BE(1) + 1) & 0xffff;
    server.send(Buffer.from([2, wrong >> 8, wrong & 0xff, 0x01]), push.from);
    await expect(pending).rejects.toThrow(/no PUSH_ACK/);
    expect(gw.counters.outOfSyncAcks).toBe(1);
  });

  it('runs its concentrator counter from a seeded start with real time, wrapping at 2^32', async () => {
    const gw = gateway({ tmstStart: 2 ** 32 - 1000 });
    const t0 = gw.concentratorTime();
    await new Promise((r) => setTimeout(r, 5));
    const t1 = gw.concentratorTime();
    expect(t0).toBeGreaterThanOrEqual(2 ** 32 - 1000);
    expect(t1).toBeLessThan(t0);
    expect(t1).toBeGreaterThanOrEqual(3000);
    expect(gateway({ seed: 7 }).buildRxpk(Buffer.alloc(1), { time: null }).rssi).toBe(
      gateway({ seed: 7 }).buildRxpk(Buffer.alloc(1), { time: null }).rssi,
    );
    const a = gateway({ seed: 'x' });
    const b = gateway({ seed: 'x' });
    expect(a.concentratorTime() - b.concentratorTime()).toBeLessThan(10_000);
  });

  it('sends a stat with its position and counters', async () => {
    const gw = gateway({ location: { latitude: 46.24, longitude: 3.2523, altitude: 145 } });
    await gw.start();
    await gw.sendUplink(Buffer.from([1]));
    await gw.sendStat();
    const stat = JSON.parse(server.lastOfType(0x00).msg.toString('utf8', 12)).stat;
    expect(stat).toMatchObject({ lati: 46.24, long: 3.2523, alti: 145, rxnb: 1, rxok: 1 });
    expect(stat.time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('decodes a PULL_RESP and answers TX_ACK without JSON, or with the error asked for', async () => {
    const gw = gateway();
    await gw.start();
    const pull = server.lastOfType(0x02).from;
    const txpk = {
      tmst: 123456,
      freq: 869.525,
      rfch: 0,
      powe: 27,
      modu: 'LORA',
      datr: 'SF12BW125',
      codr: '4/5',
      ipol: true,
      size: 3,
      data: 'AQID',
    };
    const resp = (token: number) =>
      Buffer.concat([
        Buffer.from([2, token >> 8, token & 0xff, 0x03]),
        Buffer.from(JSON.stringify({ txpk })),
      ]);

    server.send(resp(0x0102), pull);
    const d = await gw.nextDownlink();
    expect(d).toMatchObject({
      token: 0x0102,
      socket: 'down',
      tmst: 123456,
      frequency: 869_525_000,
      spreadingFactor: 12,
      bandwidth: 125_000,
      invertPolarity: true,
      power: 27,
      phyPayload: Buffer.from([1, 2, 3]),
    });
    await server.waitFor(2);
    const ack = server.lastOfType(0x05);
    expect(ack.msg).toHaveLength(12);
    expect(ack.msg.readUInt16BE(1)).toBe(0x0102);
    expect(ack.from.port).toBe(gw.ports.down);

    gw.failNextTx('TOO_LATE');
    server.send(resp(0x0203), pull);
    await gw.nextDownlink();
    await server.waitFor(3);
    const nack = server.lastOfType(0x05);
    expect(JSON.parse(nack.msg.toString('utf8', 12))).toEqual({ txpk_ack: { error: 'TOO_LATE' } });
  });

  it('sends no TX_ACK under protocol version 1', async () => {
    const gw = gateway({ protocolVersion: 1 });
    await gw.start();
    const pull = server.lastOfType(0x02).from;
    server.send(
      Buffer.concat([
        Buffer.from([1, 0, 0, 0x03]),
        Buffer.from('{"txpk":{"imme":true,"freq":869.525,"data":"AQ"}}'),
      ]),
      pull,
    );
    const d = await gw.nextDownlink();
    expect(d).toMatchObject({ imme: true, protocolVersion: 1, phyPayload: Buffer.from([1]) });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received.filter((r) => r.msg[3] === 0x05)).toEqual([]);
  });

  it('moves its down socket to a new port on rebindDownstream, with a PULL_DATA from there', async () => {
    const gw = gateway();
    await gw.start();
    const before = gw.ports.down;
    await gw.rebindDownstream();
    expect(gw.ports.down).not.toBe(before);
    expect(server.lastOfType(0x02).from.port).toBe(gw.ports.down);
  });

  it('sends raw bytes for malformed-input tests', async () => {
    const gw = gateway();
    await gw.start();
    gw.sendRaw(Buffer.from([9, 9]));
    await server.waitFor(2);
    expect(server.received.at(-1)!.msg).toEqual(Buffer.from([9, 9]));
  });

  it('refuses a gateway EUI that is not 16 hex digits', () => {
    expect(() => new VirtualGateway({ gatewayId: 'xyz', port: 1 })).toThrow('16 hex digits');
  });
});
