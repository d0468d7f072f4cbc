import { answerTypeOf, isResultCode } from './ts002';
import { parseHex, readOptionalHex, Ts002FieldError } from './ts002-fields';
import { answerHeader, readHeader } from './ts002-header';

const BASE = {
  ProtocolVersion: '1.0',
  SenderID: '000013',
  ReceiverID: '70b3d57ed0000001',
  TransactionID: 4294967295,
  MessageType: 'JoinReq',
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof Ts002FieldError) return e.field;
    throw e;
  }
  return undefined;
}

describe('TS002 common fields', () => {
  it('reads the header; tokens are optional hex', () => {
    expect(readHeader({ ...BASE, SenderToken: '0a0b' })).toEqual({
      protocolVersion: '1.0',
      senderId: '000013',
      receiverId: '70b3d57ed0000001',
      transactionId: 4294967295,
      messageType: 'JoinReq',
      senderToken: '0a0b',
    });
  });

  it('names the field that is missing or wrong', () => {
    expect(fieldOf(() => readHeader('x'))).toBe('(body)');
    expect(fieldOf(() => readHeader([]))).toBe('(body)');
    expect(fieldOf(() => readHeader({ ...BASE, ProtocolVersion: undefined }))).toBe('ProtocolVersion');
    expect(fieldOf(() => readHeader({ ...BASE, SenderID: '' }))).toBe('SenderID');
    expect(fieldOf(() => readHeader({ ...BASE, ReceiverID: 5 }))).toBe('ReceiverID');
    expect(fieldOf(() => readHeader({ ...BASE, TransactionID: -1 }))).toBe('TransactionID');
    expect(fieldOf(() => readHeader({ ...BASE, TransactionID: 2 ** 32 }))).toBe('TransactionID');
    expect(fieldOf(() => readHeader({ ...BASE, TransactionID: '1' }))).toBe('TransactionID');
    expect(fieldOf(() => readHeader({ ...BASE, MessageType: null }))).toBe('MessageType');
    expect(fieldOf(() => readHeader({ ...BASE, SenderToken: 'xyz' }))).toBe('SenderToken');
  });

  it('answers with Sender and Receiver (and their tokens) swapped, same TransactionID and version', () => {
    const h = readHeader({ ...BASE, ProtocolVersion: '1.1', SenderToken: '01', ReceiverToken: '02' });
    expect(answerHeader(h, 'JoinAns', 'MICFailed', 'bad MIC')).toEqual({
      ProtocolVersion: '1.1',
      SenderID: '70b3d57ed0000001',
      ReceiverID: '000013',
      TransactionID: 4294967295,
      MessageType: 'JoinAns',
      SenderToken: '02',
      ReceiverToken: '01',
      Result: { ResultCode: 'MICFailed', Description: 'bad MIC' },
    });
    // ChirpStack skips an empty Description.
    expect(answerHeader(h, 'JoinAns', 'Success').Result).toEqual({ ResultCode: 'Success' });
  });

  it('knows the answer type of each request, and the spec spelling UnkownReceiver', () => {
    expect(answerTypeOf('JoinReq')).toBe('JoinAns');
    expect(answerTypeOf('HomeNSReq')).toBe('HomeNSAns');
    expect(answerTypeOf('PRStartReq')).toBe('PRStartAns');
    expect(answerTypeOf('JoinAns')).toBeUndefined();
    expect(answerTypeOf('FooReq')).toBeUndefined();
    expect(isResultCode('UnkownReceiver')).toBe(true);
    expect(isResultCode('UnknownReceiver')).toBe(true);
    expect(isResultCode('Fine')).toBe(false);
  });
});

describe('TS002 hex fields', () => {
  it('accepts any case and the 0x prefix ChirpStack strips', () => {
    expect(parseHex('0xAbCd', 'X')).toEqual(Buffer.from('abcd', 'hex'));
    expect(parseHex('', 'X')).toEqual(Buffer.alloc(0));
  });

  it('refuses odd lengths, non-hex and wrong sizes', () => {
    expect(fieldOf(() => parseHex('abc', 'DevEUI'))).toBe('DevEUI');
    expect(fieldOf(() => parseHex('zz', 'DevEUI'))).toBe('DevEUI');
    expect(fieldOf(() => parseHex(12, 'DevEUI'))).toBe('DevEUI');
    expect(fieldOf(() => parseHex('0102', 'DevEUI', [8]))).toBe('DevEUI');
  });

  it('optional fields: absent, null and "" are not given', () => {
    expect(readOptionalHex({}, 'CFList', [16])).toBeUndefined();
    expect(readOptionalHex({ CFList: null }, 'CFList', [16])).toBeUndefined();
    expect(readOptionalHex({ CFList: '' }, 'CFList', [16])).toBeUndefined();
    expect(fieldOf(() => readOptionalHex({ CFList: '00' }, 'CFList', [16]))).toBe('CFList');
  });
});
