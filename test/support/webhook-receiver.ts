import { timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One event the server delivered by webhook and the receiver accepted (docs/webhooks.md). */
export interface WebhookDelivery {
  /** `X-LNS-Event`, the same as the `?event=` the server appends to the URL. */
  type: string;
  /** `X-LNS-Delivery-Id`: the same on every attempt of one delivery. */
  deliveryId: string;
  json: Record<string, unknown>;
  /** The body as it came, for the search for secrets in clear. */
  body: Buffer;
}

/** What the application server does with an event; throwing refuses it (400, with the error's message). */
export type WebhookHandler = (type: string, body: Buffer) => void;

/**
 * An application server's webhook endpoint on a loopback port: accepts a POST only with the
 * `Authorization` value it was given (compared in constant time, as a real one would), checks that the
 * event type in the header and in the URL agree, and hands each delivery to `handle` once: delivery is at
 * least once, so a repeated `X-LNS-Delivery-Id` is answered 204 and not handled again. Refusals are kept
 * with their reason, so a test can show why an event is missing.
 */
export class WebhookReceiver {
  readonly deliveries: WebhookDelivery[] = [];
  readonly refused: Array<{ status: number; reason: string }> = [];
  /** Attempts of a delivery already handled (the server retried one whose answer it did not get). */
  repeats = 0;
  private readonly seen = new Set<string>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly authorization: Buffer,
    private readonly handle: WebhookHandler,
  ) {}

  static async start(
    authorization: string,
    handle: WebhookHandler = () => undefined,
  ): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, Buffer.from(authorization), handle);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => receiver.onRequest(req, res));
    server.on('connection', (s) => {
      receiver.sockets.add(s);
      s.once('close', () => receiver.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The URL to register, with a query of its own (the server appends `&event=<type>`). */
  url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/as/events?source=lns`;
  }

  /** The events of one type received, in the order they came. */
  events(type: string): Array<Record<string, unknown>> {
    return this.deliveries.filter((d) => d.type === type).map((d) => d.json);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, reason } = this.receive(req, Buffer.concat(chunks));
      if (status >= 400) this.refused.push({ status, reason });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason);
    });
  }

  private receive(req: IncomingMessage, body: Buffer): { status: number; reason: string } {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== this.authorization.length || !timingSafeEqual(given, this.authorization)) {
      return { status: 401, reason: 'Authorization: missing or wrong' };
    }
    if (req.method !== 'POST') return { status: 405, reason: `method ${req.method}: POST only` };
    const type = String(req.headers['x-lns-event'] ?? '');
    const query = new URL(req.url ?? '/', 'http://receiver').searchParams;
    if (type === '' || query.get('event') !== type || query.get('source') !== 'lns') {
      return { status: 400, reason: `X-LNS-Event ${type} and the URL ${req.url} disagree` };
    }
    const deliveryId = String(req.headers['x-lns-delivery-id'] ?? '');
    if (deliveryId === '') return { status: 400, reason: 'X-LNS-Delivery-Id: missing' };
    if (this.seen.has(deliveryId)) {
      this.repeats++;
      return { status: 204, reason: '' };
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      this.handle(type, body);
    } catch (err) {
      return { status: 400, reason: `${type} ${deliveryId}: ${(err as Error).message}` };
    }
    this.seen.add(deliveryId);
    this.deliveries.push({ type, deliveryId, json, body });
    return { status: 204, reason: '' };
  }
}
