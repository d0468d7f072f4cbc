import { DestinationStream } from 'pino';

/** Fields every line has; the rest is printed after the message as JSON. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'context', 'msg']);

/**
 * Human lines for a terminal: `12:00:00.123 INFO  [GatewayBridge] listening udp=1700`, with any
 * other fields as JSON after the message. It formats the JSON line pino produced, after
 * redaction, so it can print nothing the JSON would not.
 */
export function prettyStream(out: { write(chunk: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line)) };
}

export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const context = typeof entry.context === 'string' ? ` [${entry.context}]` : '';
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (!OWN_FIELDS.has(k)) rest[k] = v;
  // A stack trace reads better as lines than as an escaped JSON string.
  const err = rest.err as { stack?: unknown } | undefined;
  const stack = typeof err?.stack === 'string' ? `\n${err.stack}` : '';
  if (stack) delete rest.err;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${time} ${level}${context} ${String(entry.msg ?? '')}${extra}${stack}\n`;
}
