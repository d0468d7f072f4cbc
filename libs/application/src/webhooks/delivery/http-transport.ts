import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { WebhookEventType } from '../webhook-event-types';
import { classifyResponse, DeliveryOutcome } from './delivery-outcome';

/** The headers the server sets itself; a webhook may not set them (validation/webhook-headers.ts). */
export const EVENT_HEADER = 'X-LNS-Event';
export const DELIVERY_ID_HEADER = 'X-LNS-Delivery-Id';
const USER_AGENT = 'lns-webhooks/1';

/** One POST to make. */
export interface WebhookRequest {
  event: WebhookEventType;
  deliveryId: string;
  /** JSON */
  body: string;
}

/** Sends the POSTs of one endpoint. Never throws: every ending is a DeliveryOutcome. */
export interface WebhookTransport {
  post(request: WebhookRequest, signal?: AbortSignal): Promise<DeliveryOutcome>;
  /** Closes the endpoint's idle connections; requests in flight are aborted by their signal. */
  close(): void;
}

export interface HttpTransportOptions {
  /** From connecting to the end of the answer. */
  timeoutMs: number;
  /** Sockets to this endpoint at most: its concurrency. */
  maxSockets: number;
}

/**
 * node:http(s) with a keep-alive agent of the endpoint's own, rather than the global fetch:
 * the agent caps this endpoint's connections at its concurrency and is destroyed with the
 * webhook, so a hanging endpoint holds only its own sockets; redirects are never followed
 * (a 3xx is an answer, delivery-outcome.ts); and a POST costs no WHATWG stream machinery on
 * a path that runs for every event.
 */
export class HttpWebhookTransport implements WebhookTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  /** Request path per event type: the URL's path and query plus `event=<type>` (as ChirpStack's HTTP integration). */
  private readonly paths = new Map<WebhookEventType, string>();

  constructor(
    url: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly options: HttpTransportOptions,
  ) {
    this.url = new URL(url);
    const secure = this.url.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  post(req: WebhookRequest, signal?: AbortSignal): Promise<DeliveryOutcome> {
    return new Promise<DeliveryOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: DeliveryOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const body = Buffer.from(req.body, 'utf8');
      const request = this.send({
        protocol: this.url.protocol,
        // A bracketed IPv6 literal is the URL's spelling, not a host name.
        hostname: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: this.url.port || undefined,
        path: this.pathFor(req.event),
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.headers,
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          'User-Agent': USER_AGENT,
          [EVENT_HEADER]: req.event,
          [DELIVERY_ID_HEADER]: req.deliveryId,
        },
      });
      const timer = setTimeout(() => {
        finish({ kind: 'retry', reason: `no answer within ${this.options.timeoutMs} ms` });
        request.destroy();
      }, this.options.timeoutMs);
      const onAbort = () => {
        finish({ kind: 'retry', reason: 'aborted' });
        request.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('response', (res: IncomingMessage) => {
        // The answer's body is read and dropped, so the keep-alive socket can carry the next POST.
        res.resume();
        res.once('end', () => finish(classifyResponse(res.statusCode ?? 0, res.headers['retry-after'])));
        res.once('error', (err) => finish({ kind: 'retry', reason: describe(err) }));
      });
      request.on('error', (err) => finish({ kind: 'retry', reason: describe(err) }));
      if (signal?.aborted) onAbort();
      else request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private pathFor(event: WebhookEventType): string {
    let path = this.paths.get(event);
    if (path === undefined) {
      // Appended, not re-encoded: the endpoint's own query stays exactly as configured.
      const { pathname, search } = this.url;
      path = `${pathname}${search ? `${search}&` : '?'}event=${event}`;
      this.paths.set(event, path);
    }
    return path;
  }
}

/** A network error in a few words: its code (ECONNREFUSED …) when it has one. */
function describe(err: Error & { code?: string }): string {
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
