import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Aedes, { AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import { LnsConfig } from '@lns/config';
import { EventBus } from '@lns/event-bus';
import { ApiTokenService, VerifiedToken } from '../tokens/api-token.service';
import '../tokens/token-events';
import { MqttCounters } from './mqtt-counters';
import { MqttClosedError, MqttMessageHandler, MqttPublisher, MqttQos } from './mqtt-publisher';
import { mayPublish, maySubscribe, MqttIdentity } from './topic-acl';
import { batchWritesPerTurn, TurnBatchedWrites } from './turn-batched-writes';

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3); aedes types them as an ambient const enum. */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * What a subscriber's connection may hold unsent in the process before it is closed as too
 * slow (turn-batched-writes.ts): some 4,500 `up` events, about a second at 5,000 uplinks/s.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Messages the broker may have in delivery at once (aedes' `concurrency`, mqemitter's bound).
 * A QoS 0 message holds its slot for two event-loop turns (aedes writes it in one
 * `setImmediate` and releases it in the next), and a message over the bound waits in
 * mqemitter's queue: aedes' default of 100 delivered at most 100 messages per two turns, so at
 * 5,000 uplinks/s, with busy turns of 10-20 ms, the `up` events queued there for hundreds of
 * milliseconds (docs/decisions.md). Writes never wait for a slow client here
 * (turn-batched-writes.ts), so the bound only caps what one burst puts in flight.
 */
export const DELIVERY_CONCURRENCY = 10_000;
/** Slow clients closed are counted always, logged at warn level at most this often. */
const SLOW_CLIENT_WARN_INTERVAL_MS = 60_000;

export interface EmbeddedMqttBrokerOptions {
  /** Per connection; tests lower it. */
  maxBufferedBytes?: number;
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function toIdentity(v: VerifiedToken): MqttIdentity {
  return v.applicationId === null || v.tokenId === null
    ? { kind: 'admin' }
    : { kind: 'application', applicationId: v.applicationId, readOnly: v.readOnly, tokenId: v.tokenId };
}

/** Whose a connection is: two connections with the same key may take over each other's client id. */
function identityKey(id: MqttIdentity): string {
  return id.kind === 'admin' ? 'admin' : `token:${id.tokenId}`;
}

/**
 * The embedded MQTT broker (aedes) on TCP. Clients log in with any username and an API
 * token as password: the admin token sees everything, an application token its own
 * application's topics (topic-acl.ts). The server itself publishes events and receives
 * commands inside the process, bypassing the ACL.
 */
export class EmbeddedMqttBroker
  extends MqttPublisher
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  readonly mode = 'embedded' as const;
  private readonly logger = new Logger('MqttBroker');
  private readonly aedes: Aedes;
  private server: Server | undefined;
  /** Every open connection, logged in or not, and its write batching. */
  private readonly sockets = new Map<Socket, TurnBatchedWrites>();
  private readonly maxBufferedBytes: number;
  /** The end-of-turn flush of every connection, queued behind the turn's deliveries. */
  private flushPending: NodeJS.Immediate | undefined;
  private flushArming = false;
  private lastSlowClientWarning = -Infinity;
  private readonly identities = new WeakMap<Client, MqttIdentity>();
  /** Connected clients by client id. */
  private readonly clients = new Map<string, Client>();
  /** Tokens revoked while this process runs: closes a login that was verified just before. */
  private readonly revoked = new Set<string>();
  private readonly offRevoked: () => void;
  private boundPort: number | null = null;
  private closed = false;

  constructor(
    private readonly config: LnsConfig,
    private readonly tokens: ApiTokenService,
    bus: EventBus,
    private readonly counters: MqttCounters,
    options: EmbeddedMqttBrokerOptions = {},
  ) {
    super();
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.aedes = new Aedes({
      concurrency: DELIVERY_CONCURRENCY,
      authenticate: (client, _username, password, done) => this.authenticate(client, password, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
    });
    this.aedes.on('clientReady', (client) => this.onClientReady(client));
    this.aedes.on('clientDisconnect', (client) => {
      if (this.clients.get(client.id) === client) this.clients.delete(client.id);
    });
    // A broken or hostile client must not be able to flood the log.
    this.aedes.on('clientError', (client, err) => this.logger.debug(`client ${client.id}: ${err.message}`));
    this.aedes.on('connectionError', (client, err) =>
      this.logger.debug(`connection ${client.id ?? '?'}: ${err.message}`),
    );
    this.offRevoked = bus.on('application.token.revoked', (e) => this.disconnectToken(e.tokenId));
  }

  /** The bound TCP port; null before bootstrap and after shutdown. */
  get port(): number | null {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Without noDelay, Nagle holds small messages back (up to 40 ms against delayed ACKs).
    const server = createServer({ noDelay: true }, (socket) => {
      const writes = batchWritesPerTurn(socket, {
        maxBufferedBytes: this.maxBufferedBytes,
        onOverflow: (bytes) => this.onSlowClient(socket, bytes),
      });
      this.sockets.set(socket, writes);
      socket.once('close', () => this.sockets.delete(socket));
      this.aedes.handle(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.mqtt.port, this.config.mqtt.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error(`MQTT server: ${err.message}`));
    this.boundPort = (server.address() as AddressInfo).port;
    this.logger.log(`listening mqtt=${this.boundPort}`);
  }

  /** Last: events emitted while the other modules stop still reach subscribers. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offRevoked();
    // Closes every client (publishing their wills), then the broker's message queue.
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    // Connections that never sent CONNECT are not aedes clients yet.
    for (const socket of this.sockets.keys()) socket.destroy();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.boundPort = null;
  }

  publish(topic: string, payload: Buffer, qos: MqttQos): Promise<void> {
    if (this.closed) return Promise.reject(new MqttClosedError());
    const packet: PublishPacket = { cmd: 'publish', topic, payload, qos, retain: false, dup: false };
    const published = new Promise<void>((resolve, reject) =>
      this.aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
    );
    this.flushAfterDeliveries();
    return published;
  }

  subscribe(filter: string, handler: MqttMessageHandler): void {
    // A server-side subscription: no client, no ACL; the deliver callback must run before returning.
    this.aedes.subscribe(
      filter,
      (packet, done) => {
        try {
          const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
          handler({ topic: packet.topic, payload, retain: packet.retain });
        } catch (err) {
          this.logger.error(`handler of ${filter} failed: ${err instanceof Error ? err.stack : String(err)}`);
        }
        done();
      },
      () => undefined,
    );
  }

  /**
   * aedes queues one setImmediate per subscriber for each message, during `publish` (QoS 0)
   * or in a process.nextTick after it (QoS 1, after its store). A flush queued behind them
   * hands the turn's messages to the kernel in the same turn; each connection's own flush
   * (turn-batched-writes.ts) would wait for the next one. Armed once per task.
   */
  private flushAfterDeliveries(): void {
    if (this.flushArming) return;
    this.flushArming = true;
    process.nextTick(this.armFlush);
  }

  private readonly armFlush = (): void => {
    this.flushArming = false;
    if (this.flushPending) clearImmediate(this.flushPending);
    this.flushPending = setImmediate(this.flushAll);
  };

  private readonly flushAll = (): void => {
    this.flushPending = undefined;
    for (const writes of this.sockets.values()) writes.flush();
  };

  private onSlowClient(socket: Socket, bytes: number): void {
    this.counters.slowClientsClosed++;
    const client = (socket as Socket & { client?: Client }).client;
    const message = `closing MQTT client ${client?.id ?? '?'}: ${bytes} bytes waiting, it does not read fast enough`;
    const now = Date.now();
    if (now - this.lastSlowClientWarning < SLOW_CLIENT_WARN_INTERVAL_MS) return this.logger.debug(message);
    this.lastSlowClientWarning = now;
    this.logger.warn(message);
  }

  private authenticate(
    client: Client,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const refuse = (message: string, code: number) => {
      this.counters.loginsRefused++;
      this.logger.debug(`login of ${client.id} refused: ${message}`);
      done(authError(message, code), false);
    };
    if (this.closed) return refuse('shutting down', SERVER_UNAVAILABLE);
    this.tokens.verify(password ? password.toString('utf8') : '').then(
      (verified) => {
        if (!verified) return refuse('unknown token', BAD_USERNAME_OR_PASSWORD);
        const identity = toIdentity(verified);
        // MQTT 3.1.1 §3.1.4 lets a new connection take over a client id; not across tokens,
        // or one application could disconnect another's clients by guessing their ids.
        const holder = this.clients.get(client.id);
        const held = holder && this.identities.get(holder);
        if (held && identityKey(held) !== identityKey(identity)) {
          return refuse('client id in use by another token', IDENTIFIER_REJECTED);
        }
        this.identities.set(client, identity);
        done(null, true);
      },
      (err: unknown) => {
        this.logger.error(`token check failed: ${err instanceof Error ? err.message : String(err)}`);
        refuse('token check failed', SERVER_UNAVAILABLE);
      },
    );
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const identity = this.identities.get(client);
    const decision = identity
      ? maySubscribe(identity, sub.topic)
      : { allowed: false, reason: 'not logged in' };
    if (decision.allowed) return done(null, sub);
    this.counters.subscriptionsRefused++;
    this.logger.debug(`subscription of ${client.id} to ${sub.topic} refused: ${decision.reason}`);
    // A null subscription answers SUBACK 0x80 (MQTT 3.1.1 §3.9.3) and keeps the connection.
    done(null, null);
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ) {
    // Also asked for wills: a will may not go where its client could not publish.
    const identity = client ? this.identities.get(client) : undefined;
    const decision = identity
      ? mayPublish(identity, packet.topic)
      : { allowed: false as const, reason: 'not logged in' };
    if (!decision.allowed) {
      this.counters.publishesRefused++;
      this.logger.debug(
        `publish of ${client?.id ?? '(gone)'} to ${packet.topic} refused: ${decision.reason}`,
      );
      // MQTT 3.1.1 §3.3.5: the server cannot tell the client; aedes closes the connection.
      return done(new Error(decision.reason));
    }
    // A retained command would be replayed to every later subscriber: commands are live only.
    packet.retain = false;
    done(null);
  }

  private onClientReady(client: Client): void {
    const identity = this.identities.get(client);
    if (identity?.kind === 'application' && this.revoked.has(identity.tokenId)) {
      this.counters.revokedDisconnects++;
      client.close();
      return;
    }
    this.clients.set(client.id, client);
  }

  private disconnectToken(tokenId: string): void {
    this.revoked.add(tokenId);
    for (const client of [...this.clients.values()]) {
      const identity = this.identities.get(client);
      if (identity?.kind === 'application' && identity.tokenId === tokenId) {
        this.counters.revokedDisconnects++;
        this.logger.log(`closing MQTT client ${client.id}: its token was revoked`);
        client.close();
      }
    }
  }
}
