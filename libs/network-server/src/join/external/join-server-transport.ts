import * as http from 'node:http';
import * as https from 'node:https';

/** How to reach one external join server: its endpoint, credentials and connection pool. */
export interface JoinServerTransport {
  /** The Backend Interfaces endpoint. */
  url: URL;
  /** `Authorization` header value (`Bearer <token>`), when a token is registered. */
  authorization?: string;
  /** Keep-alive pool; for https with the registered CA and client certificate (mutual TLS). */
  agent: http.Agent;
}

export type JoinServerTransportErrorCode =
  /** No answer within the time left. */
  | 'TIMEOUT'
  /** Connection refused, reset, DNS failure … */
  | 'UNREACHABLE'
  /** The TLS handshake failed (certificate not trusted, client certificate refused …). */
  | 'TLS'
  /** An HTTP status other than 200. */
  | 'HTTP_STATUS'
  /** A body that is not the JSON answer expected. */
  | 'BAD_RESPONSE';

export class JoinServerTransportError extends Error {
  constructor(
    readonly code: JoinServerTransportErrorCode,
    message: string,
    /** For HTTP_STATUS. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JoinServerTransportError';
  }
}

/** Answers are small (a JoinAns is under 1 KiB); a peer sending more is cut off. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface PostJsonOptions {
  timeoutMs: number;
  /** Another path on the same join server (same credentials and pool); default: the BI endpoint. */
  url?: URL;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * POSTs `body` as JSON and resolves with the status and body of the answer; every failure is a
 * JoinServerTransportError naming what went wrong, never a key or a token. The timeout covers the whole
 * exchange (connect, TLS, request, answer), so a caller can hold it to a radio deadline. A kept-alive
 * connection the server closed meanwhile (ECONNRESET on a reused socket, before any answer) is retried
 * once on a new one within the same timeout, as node's documentation advises for keep-alive agents.
 */
export async function postJson(
  t: JoinServerTransport,
  body: unknown,
  opts: PostJsonOptions,
): Promise<HttpAnswer> {
  const url = opts.url ?? t.url;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const deadline = Date.now() + Math.max(0, opts.timeoutMs);
  try {
    return await attempt(t, url, payload, deadline, opts.timeoutMs);
  } catch (e) {
    if (!(e instanceof StaleSocketError)) throw e;
    return attempt(t, url, payload, deadline, opts.timeoutMs).catch((again: unknown) => {
      throw again instanceof StaleSocketError ? again.error : again;
    });
  }
}

/** A reused keep-alive socket died before the answer: the request can safely go again. */
class StaleSocketError extends Error {
  constructor(readonly error: JoinServerTransportError) {
    super(error.message);
  }
}

function attempt(
  t: JoinServerTransport,
  url: URL,
  payload: Buffer,
  deadline: number,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json',
    accept: 'application/json',
    'content-length': payload.length,
  };
  if (t.authorization) headers.authorization = t.authorization;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    };
    const req = send(url, { method: 'POST', headers, agent: t.agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          fail(new JoinServerTransportError('BAD_RESPONSE', `answer larger than ${MAX_ANSWER_BYTES} bytes`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e) => fail(classify(e)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(
      () => {
        fail(new JoinServerTransportError('TIMEOUT', `no answer within ${Math.round(timeoutMs)} ms`));
        req.destroy();
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    req.on('error', (e: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && !answered && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
      fail(stale ? new StaleSocketError(classify(e)) : classify(e));
    });
    req.end(payload);
  });
}

/** A keep-alive pool for the join server: TLS sessions are reused, so a join costs no handshake. */
export function createAgent(
  url: URL,
  tls: { ca?: string; cert?: string; key?: Buffer | string } = {},
): http.Agent {
  if (url.protocol !== 'https:') return new http.Agent({ keepAlive: true, maxSockets: 64 });
  return new https.Agent({
    keepAlive: true,
    maxSockets: 64,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
  });
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

function classify(e: unknown): JoinServerTransportError {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  const text = err?.message ?? String(e);
  if (TLS_CODES.test(code) || /ssl|tls|certificate|alert/i.test(text)) {
    return new JoinServerTransportError('TLS', `TLS: ${text}`);
  }
  return new JoinServerTransportError('UNREACHABLE', code ? `${code}: ${text}` : text);
}
