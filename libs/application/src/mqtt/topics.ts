import { ApplicationEventType } from '@lns/event-bus';

/**
 * The topic layout of ChirpStack v4 (CONTRACT.md "MQTT"), so applications written for it
 * work unchanged: events under `application/{applicationId}/device/{devEui}/event/{type}`,
 * downlink commands under `…/command/down`.
 */
export const COMMAND_DOWN_FILTER = 'application/+/device/+/command/down';

/** The ids a command topic names; `devEui` exactly as written in the topic. */
export interface CommandTopic {
  applicationId: string;
  devEui: string;
}

/**
 * A topic level the server may write: not empty, no level separator, no wildcard, no NUL
 * (MQTT 3.1.1 §4.7.1, §1.5.3). An id with one of those would publish to someone else's
 * topic, or to none.
 */
export function isSafeTopicLevel(level: string): boolean {
  return level.length > 0 && !/[/+#]/.test(level) && !level.includes('\0');
}

/** `application/{applicationId}/device/{devEui}/event/{type}`, or null when an id is not a safe level. */
export function eventTopic(applicationId: string, devEui: string, type: ApplicationEventType): string | null {
  if (!isSafeTopicLevel(applicationId) || !isSafeTopicLevel(devEui)) return null;
  return `application/${applicationId}/device/${devEui.toLowerCase()}/event/${type}`;
}

/** The ids of `application/{applicationId}/device/{devEui}/command/down`; null for any other topic. */
export function parseCommandTopic(topic: string): CommandTopic | null {
  const levels = topic.split('/');
  if (levels.length !== 6) return null;
  const [root, applicationId, device, devEui, command, down] = levels;
  if (root !== 'application' || device !== 'device' || command !== 'command' || down !== 'down') return null;
  if (!isSafeTopicLevel(applicationId) || !isSafeTopicLevel(devEui)) return null;
  return { applicationId, devEui };
}

/** Does the topic match the filter (`+` one level, `#` the rest; MQTT 3.1.1 §4.7.1)? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match `$`-topics (MQTT 3.1.1 §4.7.2).
  if (topic.startsWith('$') && (f[0] === '#' || f[0] === '+')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
