import {
  JoinServerTransport,
  JoinServerTransportError,
  postJson,
} from '../../join/external/join-server-transport';
import { invalid, RegistryUnavailableError } from '../registry-errors';
import { claimUrlOf } from './claim-url';
import {
  CLAIM_REFUSED_REASON,
  ClaimedDevice,
  ClaimRequest,
  ClaimThrottledByJoinServer,
  DeviceClaim,
} from './device-claim';

/** A claim is one round trip to a join server; a person waits for it, not a radio window. */
export const REMOTE_CLAIM_TIMEOUT_MS = 10_000;

const EUI = /^[0-9a-fA-F]{16}$/;

/**
 * Claims a device on an external join server: `POST /api/js/claims` next to its Backend Interfaces
 * endpoint, over the same connection pool and TLS settings (claimUrlOf). A claim made there cannot be
 * undone from here.
 */
export async function claimRemotely(
  joinServerId: string,
  transport: JoinServerTransport,
  req: ClaimRequest,
  timeoutMs = REMOTE_CLAIM_TIMEOUT_MS,
): Promise<DeviceClaim> {
  const url = claimUrlOf(transport.url);
  const unavailable = (reason: string) =>
    new RegistryUnavailableError([{ field: 'qr', reason: `join server ${joinServerId}: ${reason}` }]);
  let answer;
  try {
    answer = await postJson(transport, req, { timeoutMs, url });
  } catch (err) {
    if (err instanceof JoinServerTransportError) throw unavailable(`${url.toString()}: ${err.message}`);
    throw err;
  }
  const body = parseJson(answer.body);
  switch (answer.status) {
    case 200:
      return {
        joinServer: joinServerId,
        device: claimedDevice(body, req.devEui, unavailable),
        undo: async () => false,
      };
    case 403:
      throw invalid('qr', CLAIM_REFUSED_REASON);
    case 429:
      throw new ClaimThrottledByJoinServer(retryAfterOf(body));
    case 400:
      throw invalid(
        'qr',
        `the join server found the claim malformed: ${messageOf(body) ?? 'no reason given'}`,
      );
    default:
      throw unavailable(
        `${url.toString()} answered HTTP ${answer.status}${messageOf(body) ? `: ${messageOf(body)}` : ''}`,
      );
  }
}

function claimedDevice(
  body: unknown,
  devEui: string,
  unavailable: (reason: string) => RegistryUnavailableError,
): ClaimedDevice {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.joinEui !== 'string' || !EUI.test(b.joinEui) || typeof b.macVersion !== 'string') {
    throw unavailable('claimed, but its answer does not say the JoinEUI and MAC version');
  }
  return { devEui, joinEui: b.joinEui.toLowerCase(), macVersion: b.macVersion };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(body: unknown): string | undefined {
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m.slice(0, 300) : undefined;
}

/** Our join server says "try again in N s"; another one at least waits a minute. */
function retryAfterOf(body: unknown): number {
  const m = /(\d+)\s*s\b/.exec(messageOf(body) ?? '');
  return m ? Number(m[1]) : 60;
}
