/**
 * The request/answer bookkeeping shared by every command: requests in flight (`state.pending`), operator
 * requests (`state.queued`) and the count of refusals that stops a request the device will not take.
 */
import { encodeMacCommands, MacCommand } from '@lns/lorawan';
import { RequestName, UplinkEnv } from './command';
import { MacState, PendingMacRequest } from './mac-state';

/** The encoded commands as hex: what "the same request" means. */
export function commandKey(cmds: readonly MacCommand[]): string {
  return encodeMacCommands(cmds).toString('hex');
}

export function isPending(state: MacState, name: RequestName): boolean {
  return state.pending.some((p) => p.command.cid === name);
}

/** Removes and returns the oldest pending request named `name` (answers come in request order). */
export function takePending(state: MacState, name: RequestName): PendingMacRequest | undefined {
  const i = state.pending.findIndex((p) => p.command.cid === name);
  if (i < 0) return undefined;
  return state.pending.splice(i, 1)[0];
}

/** Removes and returns the oldest downlink's pending requests named `name` (a LinkADRReq block). */
export function takePendingBlock(state: MacState, name: RequestName): PendingMacRequest[] {
  const first = state.pending.find((p) => p.command.cid === name);
  if (first === undefined) return [];
  const block = state.pending.filter(
    (p) => p.command.cid === name && p.sentInFCntDown === first.sentInFCntDown,
  );
  state.pending = state.pending.filter((p) => !block.includes(p));
  return block;
}

export function recordSent(
  state: MacState,
  cmds: readonly MacCommand[],
  fCntDown: number,
  now: number,
): void {
  for (const command of cmds) state.pending.push({ command, sentInFCntDown: fCntDown, sentAt: now });
}

export function queuedFor(state: MacState, name: RequestName): MacCommand[] {
  return (state.queued ?? []).filter((c) => c.cid === name);
}

/** Drops queued operator requests equal to any of `cmds`. */
export function dequeue(state: MacState, cmds: readonly MacCommand[]): void {
  if (state.queued === undefined || state.queued.length === 0) return;
  const keys = new Set(cmds.map((c) => commandKey([c])));
  state.queued = state.queued.filter((c) => !keys.has(commandKey([c])));
}

/** The device took the request: its refusal count starts over and an operator request is done. */
export function accept(state: MacState, name: RequestName, requests: readonly MacCommand[]): void {
  delete state.rejections[name];
  if (state.refused !== undefined) delete state.refused[name];
  dequeue(state, requests);
}

/**
 * The device refused (`why` names the NACK bits) or ignored (`why` undefined) the request. The same request
 * refused `maxRejections` times in a row is not sent again (a different one starts a new count), so a device
 * that cannot take it is not asked forever.
 */
export function refuse(
  env: UplinkEnv,
  name: RequestName,
  requests: readonly MacCommand[],
  why?: string,
): void {
  const { state } = env;
  const key = commandKey(requests);
  const refused = (state.refused ??= {});
  const count = refused[name] === key ? (state.rejections[name] ?? 0) + 1 : 1;
  refused[name] = key;
  state.rejections[name] = count;
  if (why !== undefined) env.log('WARNING', `${name} refused: ${why}`, name);
  const max = env.settings.maxRejections;
  if (count === max) {
    env.log(
      'WARNING',
      `${name} ${why === undefined ? 'unanswered' : 'refused'} ${max} times in a row: not sent again until the wanted settings change`,
      name,
    );
    dequeue(state, requests);
  }
}

/** Whether `cmds` is the request the device has refused `max` times in a row. */
export function isBlocked(
  state: MacState,
  name: RequestName,
  cmds: readonly MacCommand[],
  max: number,
): boolean {
  return (state.rejections[name] ?? 0) >= max && state.refused?.[name] === commandKey(cmds);
}

/**
 * Requests still pending after the device's answers were read, sent long enough before this uplink for the
 * device to have answered in it: it ignored them (or never heard them). They leave `pending`, count as one
 * refusal each (a LinkADRReq block as one), and the planner asks again in the next downlink.
 */
export function judgeUnanswered(env: UplinkEnv): void {
  const { state, ctx, settings } = env;
  const unanswered = state.pending.filter((p) => ctx.now - p.sentAt >= settings.answerGraceMs);
  if (unanswered.length === 0) return;
  state.pending = state.pending.filter((p) => !unanswered.includes(p));
  const groups = new Map<string, MacCommand[]>();
  for (const p of unanswered) {
    const name = p.command.cid;
    const key = name === 'LinkADRReq' ? `${name}@${p.sentInFCntDown}` : `${name}@${groups.size}`;
    const group = groups.get(key) ?? [];
    group.push(p.command);
    groups.set(key, group);
  }
  for (const cmds of groups.values()) refuse(env, cmds[0].cid as RequestName, cmds);
}

/** "PowerACK=0, DataRateACK=0" from named status bits: the refused parts of an answer. */
export function nacks(bits: Readonly<Record<string, boolean>>): string {
  return Object.entries(bits)
    .filter(([, ok]) => !ok)
    .map(([name]) => `${name}=0`)
    .join(', ');
}
