/** What the back-off needs of WebhookOptions. */
export interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** 0.2: each delay is drawn from ±20 % around the nominal one. */
  jitter: number;
}

/**
 * The wait before the next attempt after `failures` consecutive failures (1, 2, 3 …):
 * initial·2^(failures−1) — 1 s, 2 s, 4 s … by default — with random jitter so endpoints that
 * failed together do not retry together, and never more than `maxBackoffMs`. A server's
 * `Retry-After` (RFC 9110 §10.2.3) lengthens the wait, within the same cap.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30); // 2^30 s is past any cap
  const nominal = Math.min(policy.initialBackoffMs * 2 ** exponent, policy.maxBackoffMs);
  const jittered = nominal * (1 - policy.jitter + 2 * policy.jitter * random());
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.round(Math.min(wanted, policy.maxBackoffMs));
}
