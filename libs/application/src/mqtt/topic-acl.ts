import { parseCommandTopic } from './topics';

/** Who an MQTT client logged in as (its password was an API token). */
export type MqttIdentity =
  { kind: 'admin' } | { kind: 'application'; applicationId: string; readOnly: boolean; tokenId: string };

export type AclDecision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: AclDecision = { allowed: true };
const refused = (reason: string): AclDecision => ({ allowed: false, reason });

/**
 * May this client subscribe to this filter? The admin token sees everything. An
 * application token sees its own application's tree only: the first two levels must be
 * `application/{ownId}` literally, so no wildcard (`#`, `+/…`, `application/+/…`) can
 * reach beyond it; `$`-topics (broker internals, MQTT 3.1.1 §4.7.2) are the admin's.
 */
export function maySubscribe(identity: MqttIdentity, filter: string): AclDecision {
  if (identity.kind === 'admin') return ALLOWED;
  const levels = filter.split('/');
  if (levels[0] !== 'application' || levels.length < 2 || levels[1] !== identity.applicationId) {
    return refused(`an application token may subscribe under application/${identity.applicationId}/ only`);
  }
  return ALLOWED;
}

/**
 * May this client publish to this topic? Clients publish downlink commands only
 * (`application/{id}/device/{devEui}/command/down`): events are the server's to publish.
 * An application token may command its own application's devices, and not when read-only.
 */
export function mayPublish(identity: MqttIdentity, topic: string): AclDecision {
  const command = parseCommandTopic(topic);
  if (!command) return refused('clients may publish to application/{id}/device/{devEui}/command/down only');
  if (identity.kind === 'admin') return ALLOWED;
  if (identity.readOnly) return refused('a read-only token may not publish');
  if (command.applicationId !== identity.applicationId) {
    return refused(`an application token may command application ${identity.applicationId}'s devices only`);
  }
  return ALLOWED;
}
