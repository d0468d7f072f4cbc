import { mayPublish, maySubscribe, MqttIdentity } from './topic-acl';

const A = '7d6e1f0a-1111-4a4a-8b8b-000000000001';
const B = '7d6e1f0a-2222-4a4a-8b8b-000000000002';
const DEV = '0102030405060708';

const admin: MqttIdentity = { kind: 'admin' };
const appA: MqttIdentity = { kind: 'application', applicationId: A, readOnly: false, tokenId: 't1' };
const appAReadOnly: MqttIdentity = { kind: 'application', applicationId: A, readOnly: true, tokenId: 't2' };

describe('maySubscribe', () => {
  it.each([
    // [identity name, filter, allowed]
    ['admin', '#', true],
    ['admin', '$SYS/#', true],
    ['admin', `application/+/device/+/event/up`, true],
    ['admin', `application/${B}/#`, true],
    ['appA', `application/${A}/#`, true],
    ['appA', `application/${A}`, true],
    ['appA', `application/${A}/device/+/event/up`, true],
    ['appA', `application/${A}/device/${DEV}/event/+`, true],
    ['appA', `application/${A}/+/+/command/down`, true],
    ['appA', '#', false],
    ['appA', '+/#', false],
    ['appA', '+', false],
    ['appA', 'application/#', false],
    ['appA', 'application/+/#', false],
    ['appA', `application/+/device/${DEV}/event/up`, false],
    ['appA', `application/${B}/#`, false],
    ['appA', `application/${B}/device/${DEV}/event/up`, false],
    ['appA', `application/${A}x/#`, false],
    ['appA', `application//#`, false],
    ['appA', 'application', false],
    ['appA', '$SYS/#', false],
    ['appA', `$share/g/application/${A}/#`, false],
    ['appA', `/application/${A}/#`, false],
    ['appAReadOnly', `application/${A}/#`, true],
    ['appAReadOnly', `application/${B}/#`, false],
  ])('%s subscribing to %s: %s', (who, filter, allowed) => {
    const identity = { admin, appA, appAReadOnly }[who]!;
    expect(maySubscribe(identity, filter).allowed).toBe(allowed);
  });

  it('says why it refuses', () => {
    expect(maySubscribe(appA, '#')).toEqual({
      allowed: false,
      reason: `an application token may subscribe under application/${A}/ only`,
    });
  });
});

describe('mayPublish', () => {
  const down = (app: string) => `application/${app}/device/${DEV}/command/down`;
  it.each([
    ['admin', down(A), true],
    ['admin', down(B), true],
    ['admin', `application/${A}/device/${DEV}/event/up`, false],
    ['admin', 'anything', false],
    ['admin', '$SYS/x', false],
    ['appA', down(A), true],
    ['appA', down(B), false],
    ['appA', `application/${A}/device/${DEV}/event/up`, false],
    ['appA', `application/${A}/device/${DEV}/event/log`, false],
    ['appA', `application/${A}/device/${DEV}/command/down/x`, false],
    ['appA', `application/${A}/device/${DEV}/command/up`, false],
    ['appA', `application/${A}/device//command/down`, false],
    ['appA', `application/${A}/devices/${DEV}/command/down`, false],
    ['appA', `application/${A}`, false],
    ['appAReadOnly', down(A), false],
    ['appAReadOnly', down(B), false],
  ])('%s publishing to %s: %s', (who, topic, allowed) => {
    const identity = { admin, appA, appAReadOnly }[who]!;
    expect(mayPublish(identity, topic).allowed).toBe(allowed);
  });

  it('says why it refuses', () => {
    expect(mayPublish(appAReadOnly, down(A))).toEqual({
      allowed: false,
      reason: 'a read-only token may not publish',
    });
    expect(mayPublish(appA, `application/${A}/device/${DEV}/event/up`)).toMatchObject({
      reason: 'clients may publish to application/{id}/device/{devEui}/command/down only',
    });
  });
});
