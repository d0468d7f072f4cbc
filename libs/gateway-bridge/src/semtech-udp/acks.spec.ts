import { encodePullAck, encodePushAck } from './acks';

describe('PUSH_ACK and PULL_ACK (PROTOCOL.TXT §3.3, §5.3)', () => {
  it.each([1, 2] as const)('echo version %i and the token, 4 bytes', (version) => {
    expect(encodePushAck(version, 0xbeef)).toEqual(Buffer.from([version, 0xbe, 0xef, 0x01]));
    expect(encodePullAck(version, 0x0102)).toEqual(Buffer.from([version, 0x01, 0x02, 0x04]));
  });
});
