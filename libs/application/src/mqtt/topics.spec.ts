import { eventTopic, isSafeTopicLevel, parseCommandTopic, topicMatches } from './topics';

describe('eventTopic', () => {
  it('builds ChirpStack v4 event topics with the DevEUI in lowercase', () => {
    expect(eventTopic('app-1', '0102030405060A0B', 'up')).toBe(
      'application/app-1/device/0102030405060a0b/event/up',
    );
    expect(eventTopic('app-1', '0102030405060a0b', 'txack')).toBe(
      'application/app-1/device/0102030405060a0b/event/txack',
    );
  });

  it.each([
    ['', '0102030405060708'],
    ['a/b', '0102030405060708'],
    ['+', '0102030405060708'],
    ['app', '#'],
    ['app', ''],
    ['app', 'x\0y'],
  ])('refuses ids that are not one safe topic level: %j %j', (app, dev) => {
    expect(eventTopic(app, dev, 'up')).toBeNull();
  });
});

describe('isSafeTopicLevel', () => {
  it('accepts UUIDs and EUIs', () => {
    expect(isSafeTopicLevel('5f0c1f62-3b0a-4c36-9d0e-0f1c2a3b4c5d')).toBe(true);
    expect(isSafeTopicLevel('0102030405060708')).toBe(true);
  });
});

describe('parseCommandTopic', () => {
  it('reads the application and the DevEUI as written', () => {
    expect(parseCommandTopic('application/a1/device/0102030405060A0B/command/down')).toEqual({
      applicationId: 'a1',
      devEui: '0102030405060A0B',
    });
  });

  it.each([
    'application/a1/device/0102030405060708/command/up',
    'application/a1/device/0102030405060708/event/up',
    'application/a1/device/0102030405060708/command/down/x',
    'application//device/0102030405060708/command/down',
    'application/a1/device//command/down',
    'app/a1/device/0102030405060708/command/down',
    'application/a1/dev/0102030405060708/command/down',
  ])('refuses %s', (topic) => {
    expect(parseCommandTopic(topic)).toBeNull();
  });
});

describe('topicMatches (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['application/+/device/+/command/down', 'application/a/device/d/command/down', true],
    ['application/+/device/+/command/down', 'application/a/device/d/command/up', false],
    ['application/+/device/+/command/down', 'application/a/device/d/command/down/x', false],
    ['application/#', 'application/a/device/d', true],
    ['application/#', 'application', true],
    ['#', 'a/b', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/+', 'a', false],
    ['a/+', 'a/', true],
    ['a/b', 'a/b', true],
  ])('%s ~ %s: %s', (filter, topic, matches) => {
    expect(topicMatches(filter, topic)).toBe(matches);
  });
});
