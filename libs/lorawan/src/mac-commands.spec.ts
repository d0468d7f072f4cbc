import fc from 'fast-check';
import { LorawanError } from './errors';
import {
  Cid,
  decodeMacCommands,
  DeviceModeClass,
  encodeMacCommand,
  encodeMacCommands,
  MacCommand,
  macCommandDirection,
  macCommandLength,
  macCommandName,
  MacDirection,
} from './mac-commands';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Sources of the byte vectors (each row names its own):
//   TTS = TheThingsNetwork/lorawan-stack pkg/encoding/lorawan/mac_test.go (TestLoRaWANEncodingMAC, EU868 band:
//         100 Hz frequency step), 0x42ffff * 100 = 439091100 Hz.
//   CS  = chirpstack/chirpstack lrwn/src/maccommand.rs (test_maccommand_set).
//   BR  = brocaar/lorawan mac_commands_test.go (TestDevStatusAnsPayload, TestDLChannelReqPayload, TestMACPayloads).
// Layouts: LoRaWAN 1.1 §5 / Table 4, TS001-1.0.4 Table 61 (Class B).
type Vector = [source: string, direction: MacDirection, bytes: string, cmd: MacCommand];

const VECTORS: Vector[] = [
  // ---- uplink ----
  ['TTS ResetInd', 'uplink', '01 01', { cid: 'ResetInd', minor: 1 }],
  ['TTS LinkCheckReq', 'uplink', '02', { cid: 'LinkCheckReq' }],
  [
    'TTS LinkADRAns all ACK',
    'uplink',
    '03 07',
    { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true },
  ],
  [
    'CS LinkADRAns ChMask',
    'uplink',
    '03 01',
    { cid: 'LinkADRAns', powerAck: false, dataRateAck: false, channelMaskAck: true },
  ],
  [
    'CS LinkADRAns DR',
    'uplink',
    '03 02',
    { cid: 'LinkADRAns', powerAck: false, dataRateAck: true, channelMaskAck: false },
  ],
  [
    'CS LinkADRAns power',
    'uplink',
    '03 04',
    { cid: 'LinkADRAns', powerAck: true, dataRateAck: false, channelMaskAck: false },
  ],
  ['TTS DutyCycleAns', 'uplink', '04', { cid: 'DutyCycleAns' }],
  [
    'TTS RXParamSetupAns',
    'uplink',
    '05 05',
    { cid: 'RXParamSetupAns', rx1DrOffsetAck: true, rx2DataRateAck: false, channelAck: true },
  ],
  ['CS/BR DevStatusAns margin -30', 'uplink', '06 00 22', { cid: 'DevStatusAns', battery: 0, margin: -30 }],
  ['CS/BR DevStatusAns margin 30', 'uplink', '06 ff 1e', { cid: 'DevStatusAns', battery: 255, margin: 30 }],
  ['CS/BR DevStatusAns margin -1', 'uplink', '06 7f 3f', { cid: 'DevStatusAns', battery: 127, margin: -1 }],
  ['CS/BR DevStatusAns margin 0', 'uplink', '06 7f 00', { cid: 'DevStatusAns', battery: 127, margin: 0 }],
  [
    'TTS NewChannelAns',
    'uplink',
    '07 02',
    { cid: 'NewChannelAns', dataRateRangeOk: true, channelFrequencyOk: false },
  ],
  [
    'CS NewChannelAns none',
    'uplink',
    '07 00',
    { cid: 'NewChannelAns', dataRateRangeOk: false, channelFrequencyOk: false },
  ],
  [
    'CS NewChannelAns freq',
    'uplink',
    '07 01',
    { cid: 'NewChannelAns', dataRateRangeOk: false, channelFrequencyOk: true },
  ],
  [
    'CS NewChannelAns both',
    'uplink',
    '07 03',
    { cid: 'NewChannelAns', dataRateRangeOk: true, channelFrequencyOk: true },
  ],
  ['TTS RXTimingSetupAns', 'uplink', '08', { cid: 'RXTimingSetupAns' }],
  ['TTS TxParamSetupAns', 'uplink', '09', { cid: 'TxParamSetupAns' }],
  // TTS calls bit 1 "FrequencyAck"; L11 §5.7.2 names it "Uplink frequency exists".
  [
    'TTS DlChannelAns',
    'uplink',
    '0a 02',
    { cid: 'DlChannelAns', uplinkFrequencyExists: true, channelFrequencyOk: false },
  ],
  [
    'CS DlChannelAns',
    'uplink',
    '0a 01',
    { cid: 'DlChannelAns', uplinkFrequencyExists: false, channelFrequencyOk: true },
  ],
  ['TTS RekeyInd', 'uplink', '0b 01', { cid: 'RekeyInd', minor: 1 }],
  ['TTS ADRParamSetupAns', 'uplink', '0c', { cid: 'ADRParamSetupAns' }],
  ['TTS DeviceTimeReq', 'uplink', '0d', { cid: 'DeviceTimeReq' }],
  ['TTS RejoinParamSetupAns', 'uplink', '0f 01', { cid: 'RejoinParamSetupAns', timeOk: true }],
  ['TTS PingSlotInfoReq', 'uplink', '10 07', { cid: 'PingSlotInfoReq', periodicity: 7 }],
  ['CS PingSlotInfoReq', 'uplink', '10 03', { cid: 'PingSlotInfoReq', periodicity: 3 }],
  [
    'TTS PingSlotChannelAns',
    'uplink',
    '11 02',
    { cid: 'PingSlotChannelAns', dataRateOk: true, channelFrequencyOk: false },
  ],
  [
    'CS PingSlotChannelAns',
    'uplink',
    '11 03',
    { cid: 'PingSlotChannelAns', dataRateOk: true, channelFrequencyOk: true },
  ],
  ['TTS BeaconTimingReq', 'uplink', '12', { cid: 'BeaconTimingReq' }],
  ['TTS BeaconFreqAns', 'uplink', '13 01', { cid: 'BeaconFreqAns', beaconFrequencyOk: true }],
  ['CS BeaconFreqAns', 'uplink', '13 00', { cid: 'BeaconFreqAns', beaconFrequencyOk: false }],
  ['TTS DeviceModeInd A', 'uplink', '20 00', { cid: 'DeviceModeInd', deviceClass: DeviceModeClass.A }],
  ['CS DeviceModeInd C', 'uplink', '20 02', { cid: 'DeviceModeInd', deviceClass: DeviceModeClass.C }],

  // ---- downlink ----
  ['TTS ResetConf', 'downlink', '01 01', { cid: 'ResetConf', minor: 1 }],
  ['TTS LinkCheckAns', 'downlink', '02 14 03', { cid: 'LinkCheckAns', margin: 20, gwCnt: 3 }],
  ['CS/BR LinkCheckAns', 'downlink', '02 0a 0f', { cid: 'LinkCheckAns', margin: 10, gwCnt: 15 }],
  [
    'TTS LinkADRReq (channels 2 and 9)',
    'downlink',
    '03 52 04 02 11',
    { cid: 'LinkADRReq', dataRate: 5, txPower: 2, chMask: 0x0204, chMaskCntl: 1, nbTrans: 1 },
  ],
  [
    'CS/BR LinkADRReq (channel 2)',
    'downlink',
    '03 12 04 00 45',
    { cid: 'LinkADRReq', dataRate: 1, txPower: 2, chMask: 0x0004, chMaskCntl: 4, nbTrans: 5 },
  ],
  ['TTS/CS DutyCycleReq', 'downlink', '04 0d', { cid: 'DutyCycleReq', maxDutyCycle: 13 }],
  [
    'TTS RXParamSetupReq',
    'downlink',
    '05 5c 42 ff ff',
    { cid: 'RXParamSetupReq', rx1DrOffset: 5, rx2DataRate: 12, frequency: 1677702600 },
  ],
  [
    'CS/BR RXParamSetupReq',
    'downlink',
    '05 3b 01 02 04',
    { cid: 'RXParamSetupReq', rx1DrOffset: 3, rx2DataRate: 11, frequency: 26265700 },
  ],
  ['TTS DevStatusReq', 'downlink', '06', { cid: 'DevStatusReq' }],
  [
    'TTS NewChannelReq',
    'downlink',
    '07 0f ff ff 42 42',
    { cid: 'NewChannelReq', chIndex: 15, frequency: 439091100, minDr: 2, maxDr: 4 },
  ],
  [
    'TTS NewChannelReq freq 0 (disable)',
    'downlink',
    '07 0f 00 00 00 42',
    { cid: 'NewChannelReq', chIndex: 15, frequency: 0, minDr: 2, maxDr: 4 },
  ],
  [
    'CS/BR NewChannelReq',
    'downlink',
    '07 03 01 02 04 5a',
    { cid: 'NewChannelReq', chIndex: 3, frequency: 26265700, minDr: 10, maxDr: 5 },
  ],
  ['TTS/CS RXTimingSetupReq', 'downlink', '08 0f', { cid: 'RXTimingSetupReq', delay: 15 }],
  [
    'TTS TxParamSetupReq DL dwell, 36 dBm',
    'downlink',
    '09 2f',
    { cid: 'TxParamSetupReq', downlinkDwellTime: true, uplinkDwellTime: false, maxEirp: 15 },
  ],
  [
    'CS TxParamSetupReq no dwell',
    'downlink',
    '09 0f',
    { cid: 'TxParamSetupReq', downlinkDwellTime: false, uplinkDwellTime: false, maxEirp: 15 },
  ],
  [
    'CS TxParamSetupReq UL dwell',
    'downlink',
    '09 1f',
    { cid: 'TxParamSetupReq', downlinkDwellTime: false, uplinkDwellTime: true, maxEirp: 15 },
  ],
  [
    'TTS DlChannelReq',
    'downlink',
    '0a 04 ff ff 42',
    { cid: 'DlChannelReq', chIndex: 4, frequency: 439091100 },
  ],
  [
    'CS/BR DlChannelReq 868.1',
    'downlink',
    '0a 00 28 76 84',
    { cid: 'DlChannelReq', chIndex: 0, frequency: 868100000 },
  ],
  [
    'CS/BR DlChannelReq 868.2',
    'downlink',
    '0a 01 10 7a 84',
    { cid: 'DlChannelReq', chIndex: 1, frequency: 868200000 },
  ],
  ['TTS RekeyConf', 'downlink', '0b 01', { cid: 'RekeyConf', minor: 1 }],
  ['TTS ADRParamSetupReq', 'downlink', '0c 42', { cid: 'ADRParamSetupReq', limitExp: 4, delayExp: 2 }],
  ['CS/BR ADRParamSetupReq', 'downlink', '0c af', { cid: 'ADRParamSetupReq', limitExp: 10, delayExp: 15 }],
  [
    'TTS DeviceTimeAns',
    'downlink',
    '0d ff ff ff 42 42',
    { cid: 'DeviceTimeAns', gpsEpochSeconds: 0x42ffffff, fractionalSecond: 0x42 },
  ],
  [
    'CS/BR DeviceTimeAns 1 s + 2/256',
    'downlink',
    '0d 01 00 00 00 02',
    { cid: 'DeviceTimeAns', gpsEpochSeconds: 1, fractionalSecond: 2 },
  ],
  [
    'CS/BR ForceRejoinReq (LE uint16, L11 §5.13)',
    'downlink',
    '0e 25 1c',
    { cid: 'ForceRejoinReq', period: 3, maxRetries: 4, rejoinType: 2, dataRate: 5 },
  ],
  ['TTS RejoinParamSetupReq', 'downlink', '0f 42', { cid: 'RejoinParamSetupReq', maxTimeN: 4, maxCountN: 2 }],
  [
    'CS/BR RejoinParamSetupReq',
    'downlink',
    '0f ef',
    { cid: 'RejoinParamSetupReq', maxTimeN: 14, maxCountN: 15 },
  ],
  ['TTS PingSlotInfoAns', 'downlink', '10', { cid: 'PingSlotInfoAns' }],
  [
    'TTS PingSlotChannelReq',
    'downlink',
    '11 ff ff 42 0f',
    { cid: 'PingSlotChannelReq', frequency: 439091100, dataRate: 15 },
  ],
  [
    'CS/BR PingSlotChannelReq',
    'downlink',
    '11 28 76 84 05',
    { cid: 'PingSlotChannelReq', frequency: 868100000, dataRate: 5 },
  ],
  [
    'TTS BeaconTimingAns',
    'downlink',
    '12 ff 42 42',
    { cid: 'BeaconTimingAns', delay: 0x42ff, channel: 0x42 },
  ],
  ['TTS BeaconFreqReq', 'downlink', '13 ff ff 42', { cid: 'BeaconFreqReq', frequency: 439091100 }],
  ['CS/BR BeaconFreqReq', 'downlink', '13 28 76 84', { cid: 'BeaconFreqReq', frequency: 868100000 }],
  ['TTS DeviceModeConf C', 'downlink', '20 02', { cid: 'DeviceModeConf', deviceClass: DeviceModeClass.C }],
  ['CS DeviceModeConf A', 'downlink', '20 00', { cid: 'DeviceModeConf', deviceClass: DeviceModeClass.A }],
];

/** Every command name, by direction (LoRaWAN 1.1 Table 4 + 1.0.4 Table 61 incl. deprecated BeaconTiming). */
const ALL_UPLINK = [
  'ResetInd',
  'LinkCheckReq',
  'LinkADRAns',
  'DutyCycleAns',
  'RXParamSetupAns',
  'DevStatusAns',
  'NewChannelAns',
  'RXTimingSetupAns',
  'TxParamSetupAns',
  'DlChannelAns',
  'RekeyInd',
  'ADRParamSetupAns',
  'DeviceTimeReq',
  'RejoinParamSetupAns',
  'PingSlotInfoReq',
  'PingSlotChannelAns',
  'BeaconTimingReq',
  'BeaconFreqAns',
  'DeviceModeInd',
];
const ALL_DOWNLINK = [
  'ResetConf',
  'LinkCheckAns',
  'LinkADRReq',
  'DutyCycleReq',
  'RXParamSetupReq',
  'DevStatusReq',
  'NewChannelReq',
  'RXTimingSetupReq',
  'TxParamSetupReq',
  'DlChannelReq',
  'RekeyConf',
  'ADRParamSetupReq',
  'DeviceTimeAns',
  'ForceRejoinReq',
  'RejoinParamSetupReq',
  'PingSlotInfoAns',
  'PingSlotChannelReq',
  'BeaconTimingAns',
  'BeaconFreqReq',
  'DeviceModeConf',
];

function expectBadField(f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LorawanError);
  expect((err as LorawanError).code).toBe('BAD_FIELD');
}

describe('MAC command vectors', () => {
  it.each(VECTORS)('%s: encodes to the exact bytes', (_src, _dir, bytes, cmd) => {
    expect(encodeMacCommand(cmd).toString('hex')).toBe(hex(bytes).toString('hex'));
  });

  it.each(VECTORS)('%s: decodes from the exact bytes', (_src, direction, bytes, cmd) => {
    expect(decodeMacCommands(hex(bytes), direction)).toEqual({ commands: [cmd] });
  });

  it('covers every command of both directions', () => {
    const up = new Set(VECTORS.filter((v) => v[1] === 'uplink').map((v) => v[3].cid));
    const down = new Set(VECTORS.filter((v) => v[1] === 'downlink').map((v) => v[3].cid));
    expect([...up].sort()).toEqual([...ALL_UPLINK].sort());
    expect([...down].sort()).toEqual([...ALL_DOWNLINK].sort());
  });

  it('maps names to the direction they travel in', () => {
    for (const name of ALL_UPLINK) expect(macCommandDirection(name as MacCommand['cid'])).toBe('uplink');
    for (const name of ALL_DOWNLINK) expect(macCommandDirection(name as MacCommand['cid'])).toBe('downlink');
  });
});

describe('macCommandLength / macCommandName', () => {
  // Payload lengths excluding the CID: LoRaWAN 1.1 Table 4, TS001-1.0.4 Table 61, TTS mac.go Uplink/DownlinkLength.
  const TABLE: [
    cid: number,
    up: string | undefined,
    upLen: number | undefined,
    down: string,
    downLen: number,
  ][] = [
    [Cid.Reset, 'ResetInd', 1, 'ResetConf', 1],
    [Cid.LinkCheck, 'LinkCheckReq', 0, 'LinkCheckAns', 2],
    [Cid.LinkADR, 'LinkADRAns', 1, 'LinkADRReq', 4],
    [Cid.DutyCycle, 'DutyCycleAns', 0, 'DutyCycleReq', 1],
    [Cid.RXParamSetup, 'RXParamSetupAns', 1, 'RXParamSetupReq', 4],
    [Cid.DevStatus, 'DevStatusAns', 2, 'DevStatusReq', 0],
    [Cid.NewChannel, 'NewChannelAns', 1, 'NewChannelReq', 5],
    [Cid.RXTimingSetup, 'RXTimingSetupAns', 0, 'RXTimingSetupReq', 1],
    [Cid.TxParamSetup, 'TxParamSetupAns', 0, 'TxParamSetupReq', 1],
    [Cid.DlChannel, 'DlChannelAns', 1, 'DlChannelReq', 4],
    [Cid.Rekey, 'RekeyInd', 1, 'RekeyConf', 1],
    [Cid.ADRParamSetup, 'ADRParamSetupAns', 0, 'ADRParamSetupReq', 1],
    [Cid.DeviceTime, 'DeviceTimeReq', 0, 'DeviceTimeAns', 5],
    [Cid.ForceRejoin, undefined, undefined, 'ForceRejoinReq', 2],
    [Cid.RejoinParamSetup, 'RejoinParamSetupAns', 1, 'RejoinParamSetupReq', 1],
    [Cid.PingSlotInfo, 'PingSlotInfoReq', 1, 'PingSlotInfoAns', 0],
    [Cid.PingSlotChannel, 'PingSlotChannelAns', 1, 'PingSlotChannelReq', 4],
    [Cid.BeaconTiming, 'BeaconTimingReq', 0, 'BeaconTimingAns', 3],
    [Cid.BeaconFreq, 'BeaconFreqAns', 1, 'BeaconFreqReq', 3],
    [Cid.DeviceMode, 'DeviceModeInd', 1, 'DeviceModeConf', 1],
  ];

  it.each(TABLE)('CID %d: uplink %s (%s bytes), downlink %s (%s bytes)', (cid, up, upLen, down, downLen) => {
    expect(macCommandLength(cid, 'uplink')).toBe(upLen);
    expect(macCommandName(cid, 'uplink')).toBe(up);
    expect(macCommandLength(cid, 'downlink')).toBe(downLen);
    expect(macCommandName(cid, 'downlink')).toBe(down);
  });

  it('knows no other CID, proprietary and relay (TS011 0x40..) included', () => {
    const known = new Set<number>(TABLE.map((r) => r[0]));
    for (let cid = 0; cid < 256; cid++) {
      if (known.has(cid)) continue;
      for (const dir of ['uplink', 'downlink'] as const) {
        expect(macCommandLength(cid, dir)).toBeUndefined();
        expect(macCommandName(cid, dir)).toBeUndefined();
      }
    }
    expect(macCommandLength(-1, 'uplink')).toBeUndefined();
    expect(macCommandLength(1.5, 'uplink')).toBeUndefined();
    expect(macCommandLength(256, 'downlink')).toBeUndefined();
  });

  it('every encoded command is 1 + macCommandLength bytes', () => {
    for (const [, direction, , cmd] of VECTORS) {
      const b = encodeMacCommand(cmd);
      expect(b.length).toBe(1 + (macCommandLength(b[0], direction) as number));
    }
  });
});

describe('DevStatusAns margin (L11 §5.6: 6-bit signed, −32..31)', () => {
  it('round-trips every margin as 6-bit two’s complement', () => {
    for (let margin = -32; margin <= 31; margin++) {
      const b = encodeMacCommand({ cid: 'DevStatusAns', battery: 1, margin });
      expect(b[2]).toBe(margin & 0x3f);
      expect(decodeMacCommands(b, 'uplink').commands).toEqual([{ cid: 'DevStatusAns', battery: 1, margin }]);
    }
  });

  it('encodes the extremes: −32 → 0x20, 31 → 0x1f, −16 → 0x30', () => {
    expect(encodeMacCommand({ cid: 'DevStatusAns', battery: 0, margin: -32 })).toEqual(hex('06 00 20'));
    expect(encodeMacCommand({ cid: 'DevStatusAns', battery: 0, margin: 31 })).toEqual(hex('06 00 1f'));
    expect(encodeMacCommand({ cid: 'DevStatusAns', battery: 0x42, margin: -16 })).toEqual(hex('06 42 30'));
  });

  it('rejects margins outside −32..31', () => {
    expectBadField(() => encodeMacCommand({ cid: 'DevStatusAns', battery: 0, margin: 32 }));
    expectBadField(() => encodeMacCommand({ cid: 'DevStatusAns', battery: 0, margin: -33 }));
  });

  it('keeps RFU bits 7..6 of the margin byte apart from the margin', () => {
    const { commands } = decodeMacCommands(hex('06 10 ff'), 'uplink');
    expect(commands).toEqual([{ cid: 'DevStatusAns', battery: 0x10, margin: -1, rfu: 0xc0 }]);
    expect(encodeMacCommands(commands)).toEqual(hex('06 10 ff'));
  });

  it('diverges from TTS on purpose: TTS writes −16 as 0x2f (sign bit + one’s complement), read here as −17', () => {
    // TTS mac_test.go "DevStatusAns" {Battery: 0x42, Margin: -16} ↔ 06 42 2f. CS and BR (and the spec's
    // "signed integer") use two's complement, where 0x2f is −17.
    expect(decodeMacCommands(hex('06 42 2f'), 'uplink').commands).toEqual([
      { cid: 'DevStatusAns', battery: 0x42, margin: -17 },
    ]);
  });
});

describe('ForceRejoinReq byte order', () => {
  it('is a little-endian uint16: first byte RejoinType|DR, second Period|Max_Retries (CS, BR)', () => {
    const b = encodeMacCommand({
      cid: 'ForceRejoinReq',
      period: 7,
      maxRetries: 0,
      rejoinType: 0,
      dataRate: 0,
    });
    expect(b).toEqual(hex('0e 00 38'));
  });

  it('reads TTS’s vector 0e 3f 2d (Period|Max_Retries first) by the spec’s byte order', () => {
    // TTS mac_test.go means {MaxRetries 7, Period 7, RejoinType 2, DR 13}; the LE reading differs.
    expect(decodeMacCommands(hex('0e 3f 2d'), 'downlink').commands).toEqual([
      { cid: 'ForceRejoinReq', period: 5, maxRetries: 5, rejoinType: 3, dataRate: 15 },
    ]);
  });

  it('keeps its two RFU groups (bits 15..14 and 7)', () => {
    const { commands } = decodeMacCommands(hex('0e 80 c0'), 'downlink');
    expect(commands).toEqual([
      { cid: 'ForceRejoinReq', period: 0, maxRetries: 0, rejoinType: 0, dataRate: 0, rfu: 0xc080 },
    ]);
    expect(encodeMacCommands(commands)).toEqual(hex('0e 80 c0'));
  });
});

describe('decodeMacCommands on a stream', () => {
  it('decodes several uplink commands back to back (an FOpts field)', () => {
    const buf = hex('03 07 06 ff 1e 02 0d 10 03 20 02');
    expect(decodeMacCommands(buf, 'uplink')).toEqual({
      commands: [
        { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true },
        { cid: 'DevStatusAns', battery: 255, margin: 30 },
        { cid: 'LinkCheckReq' },
        { cid: 'DeviceTimeReq' },
        { cid: 'PingSlotInfoReq', periodicity: 3 },
        { cid: 'DeviceModeInd', deviceClass: DeviceModeClass.C },
      ],
    });
  });

  it('decodes a 1.0.x LinkADRReq block followed by other downlink commands', () => {
    const cmds: MacCommand[] = [
      { cid: 'LinkADRReq', dataRate: 5, txPower: 1, chMask: 0x00ff, chMaskCntl: 0, nbTrans: 1 },
      { cid: 'LinkADRReq', dataRate: 5, txPower: 1, chMask: 0x0000, chMaskCntl: 7, nbTrans: 1 },
      { cid: 'DevStatusReq' },
      { cid: 'LinkCheckAns', margin: 7, gwCnt: 2 },
      { cid: 'DeviceTimeAns', gpsEpochSeconds: 1_400_000_000, fractionalSecond: 128 },
    ];
    const buf = encodeMacCommands(cmds);
    expect(buf).toEqual(hex('03 51 ff 00 01  03 51 00 00 71  06  02 07 02  0d 00 4e 72 53 80'));
    expect(decodeMacCommands(buf, 'downlink')).toEqual({ commands: cmds });
  });

  it('reads the same bytes differently per direction', () => {
    const buf = hex('03 07 00 00 00');
    expect(decodeMacCommands(buf, 'downlink').commands).toEqual([
      { cid: 'LinkADRReq', dataRate: 0, txPower: 7, chMask: 0, chMaskCntl: 0, nbTrans: 0 },
    ]);
    expect(decodeMacCommands(buf, 'uplink')).toEqual({
      commands: [{ cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true }],
      rest: hex('00 00 00'),
      stop: 'UNKNOWN_CID',
    });
  });

  it('returns nothing for an empty buffer', () => {
    expect(decodeMacCommands(Buffer.alloc(0), 'uplink')).toEqual({ commands: [] });
    expect(encodeMacCommands([])).toEqual(Buffer.alloc(0));
  });

  it('accepts a plain Uint8Array', () => {
    expect(decodeMacCommands(new Uint8Array([0x02, 0x14, 0x03]), 'downlink').commands).toEqual([
      { cid: 'LinkCheckAns', margin: 20, gwCnt: 3 },
    ]);
  });

  it('returns undecoded RFU bits in `rfu` and re-encodes them', () => {
    const buf = hex('04 ff 08 f1 09 c0 03 52 04 02 91 11 28 76 84 f5');
    const { commands, rest } = decodeMacCommands(buf, 'downlink');
    expect(rest).toBeUndefined();
    expect(commands).toEqual([
      { cid: 'DutyCycleReq', maxDutyCycle: 15, rfu: 0xf0 },
      { cid: 'RXTimingSetupReq', delay: 1, rfu: 0xf0 },
      { cid: 'TxParamSetupReq', downlinkDwellTime: false, uplinkDwellTime: false, maxEirp: 0, rfu: 0xc0 },
      { cid: 'LinkADRReq', dataRate: 5, txPower: 2, chMask: 0x0204, chMaskCntl: 1, nbTrans: 1, rfu: 0x80 },
      { cid: 'PingSlotChannelReq', frequency: 868100000, dataRate: 5, rfu: 0xf0 },
    ]);
    expect(encodeMacCommands(commands)).toEqual(buf);
  });
});

describe('decodeMacCommands stops safely', () => {
  it('at an unknown CID, returning the tail from that CID on', () => {
    // 0x0E has no uplink command (ForceRejoinReq is downlink only).
    const r = decodeMacCommands(hex('02 0e 06 00 00'), 'uplink');
    expect(r).toEqual({ commands: [{ cid: 'LinkCheckReq' }], rest: hex('0e 06 00 00'), stop: 'UNKNOWN_CID' });
  });

  it.each([0x00, 0x14, 0x1f, 0x21, 0x40, 0x7f])('at CID %d, in both directions', (cid) => {
    for (const [dir, first] of [
      ['uplink', { cid: 'LinkCheckReq' }],
      ['downlink', { cid: 'DevStatusReq' }],
    ] as const) {
      const prefix = encodeMacCommand(first);
      expect(decodeMacCommands(Buffer.from([...prefix, cid, 0x06]), dir)).toEqual({
        commands: [first],
        rest: Buffer.from([cid, 0x06]),
        stop: 'UNKNOWN_CID',
      });
    }
  });

  it('at a proprietary CID (0x80..0xFF cannot be length-delimited)', () => {
    for (const cid of [0x80, 0xc3, 0xff]) {
      const r = decodeMacCommands(Buffer.from([0x02, 0x14, 0x03, cid, 0x01, 0x02]), 'downlink');
      expect(r).toEqual({
        commands: [{ cid: 'LinkCheckAns', margin: 20, gwCnt: 3 }],
        rest: Buffer.from([cid, 0x01, 0x02]),
        stop: 'PROPRIETARY_CID',
      });
    }
  });

  it('at a truncated payload, after the complete commands before it', () => {
    expect(decodeMacCommands(hex('02 03 07 06 ff'), 'uplink')).toEqual({
      commands: [
        { cid: 'LinkCheckReq' },
        { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true },
      ],
      rest: hex('06 ff'),
      stop: 'TRUNCATED',
    });
  });

  it.each(VECTORS.filter((v) => hex(v[2]).length > 1))(
    '%s: every truncation stops with the whole tail in rest',
    (_src, direction, bytes) => {
      const full = hex(bytes);
      for (let n = 1; n < full.length; n++) {
        const cut = full.subarray(0, n);
        expect(decodeMacCommands(cut, direction)).toEqual({ commands: [], rest: cut, stop: 'TRUNCATED' });
      }
    },
  );

  it('returns `rest` as a copy, not a view of the input', () => {
    const buf = hex('02 ff 01');
    const { rest } = decodeMacCommands(buf, 'uplink');
    buf[1] = 0x00;
    expect(rest).toEqual(hex('ff 01'));
  });

  it('treats an invalid direction as knowing no command', () => {
    const buf = hex('02');
    expect(decodeMacCommands(buf, 'sideways' as MacDirection)).toEqual({
      commands: [],
      rest: buf,
      stop: 'UNKNOWN_CID',
    });
  });
});

describe('encodeMacCommand field checks → BAD_FIELD', () => {
  const base = { cid: 'LinkADRReq', dataRate: 0, txPower: 0, chMask: 0, chMaskCntl: 0, nbTrans: 0 } as const;
  const BAD: [string, unknown][] = [
    ['LinkADRReq dataRate 16', { ...base, dataRate: 16 }],
    ['LinkADRReq txPower -1', { ...base, txPower: -1 }],
    ['LinkADRReq chMask 0x10000', { ...base, chMask: 0x10000 }],
    ['LinkADRReq chMaskCntl 8', { ...base, chMaskCntl: 8 }],
    ['LinkADRReq nbTrans 1.5', { ...base, nbTrans: 1.5 }],
    ['LinkADRReq nbTrans NaN', { ...base, nbTrans: NaN }],
    ['LinkADRReq nbTrans as a string', { ...base, nbTrans: '1' }],
    ['LinkADRReq rfu outside 0x80', { ...base, rfu: 0x01 }],
    [
      'LinkADRAns flag not boolean',
      { cid: 'LinkADRAns', powerAck: 1, dataRateAck: true, channelMaskAck: true },
    ],
    [
      'LinkADRAns rfu outside 0xf8',
      { cid: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true, rfu: 4 },
    ],
    ['ResetInd minor 16', { cid: 'ResetInd', minor: 16 }],
    ['LinkCheckAns gwCnt 256', { cid: 'LinkCheckAns', margin: 0, gwCnt: 256 }],
    ['DutyCycleReq 16', { cid: 'DutyCycleReq', maxDutyCycle: 16 }],
    [
      'RXParamSetupReq rx1DrOffset 8',
      { cid: 'RXParamSetupReq', rx1DrOffset: 8, rx2DataRate: 0, frequency: 869525000 },
    ],
    // BR TestDLChannelReqPayload: 868100099 is not a multiple of 100.
    ['DlChannelReq 868100099 Hz', { cid: 'DlChannelReq', chIndex: 0, frequency: 868100099 }],
    // BR TestMACPayloads: 1677721600 = 2^24 × 100 does not fit 24 bits.
    ['BeaconFreqReq 2^24 × 100 Hz', { cid: 'BeaconFreqReq', frequency: 1677721600 }],
    ['PingSlotChannelReq negative frequency', { cid: 'PingSlotChannelReq', frequency: -100, dataRate: 0 }],
    ['PingSlotChannelReq dataRate 16', { cid: 'PingSlotChannelReq', frequency: 868100000, dataRate: 16 }],
    ['NewChannelReq chIndex 256', { cid: 'NewChannelReq', chIndex: 256, frequency: 0, minDr: 0, maxDr: 0 }],
    ['NewChannelReq maxDr 16', { cid: 'NewChannelReq', chIndex: 0, frequency: 0, minDr: 0, maxDr: 16 }],
    [
      'TxParamSetupReq maxEirp 16',
      { cid: 'TxParamSetupReq', downlinkDwellTime: true, uplinkDwellTime: true, maxEirp: 16 },
    ],
    ['ADRParamSetupReq limitExp 16', { cid: 'ADRParamSetupReq', limitExp: 16, delayExp: 0 }],
    ['DeviceTimeAns seconds 2^32', { cid: 'DeviceTimeAns', gpsEpochSeconds: 2 ** 32, fractionalSecond: 0 }],
    ['DeviceTimeAns fraction 256', { cid: 'DeviceTimeAns', gpsEpochSeconds: 0, fractionalSecond: 256 }],
    [
      'ForceRejoinReq period 8',
      { cid: 'ForceRejoinReq', period: 8, maxRetries: 0, rejoinType: 0, dataRate: 0 },
    ],
    [
      'ForceRejoinReq rfu 0x0100',
      { cid: 'ForceRejoinReq', period: 0, maxRetries: 0, rejoinType: 0, dataRate: 0, rfu: 0x100 },
    ],
    ['RejoinParamSetupReq maxCountN 16', { cid: 'RejoinParamSetupReq', maxTimeN: 0, maxCountN: 16 }],
    ['PingSlotInfoReq periodicity 8', { cid: 'PingSlotInfoReq', periodicity: 8 }],
    ['BeaconTimingAns delay 0x10000', { cid: 'BeaconTimingAns', delay: 0x10000, channel: 0 }],
    ['DeviceModeConf class 256', { cid: 'DeviceModeConf', deviceClass: 256 }],
    ['unknown command name', { cid: 'Proprietary', code: 0x80, payload: Buffer.alloc(0) }],
    ['inherited property name as cid', { cid: 'toString' }],
  ];

  it.each(BAD)('%s', (_name, cmd) => {
    expectBadField(() => encodeMacCommand(cmd as MacCommand));
    expectBadField(() => encodeMacCommands([{ cid: 'LinkCheckReq' }, cmd as MacCommand]));
  });

  it('accepts the edges of every range', () => {
    expect(encodeMacCommand({ cid: 'BeaconFreqReq', frequency: 1677721500 })).toEqual(hex('13 ff ff ff'));
    expect(
      encodeMacCommand({ cid: 'DeviceTimeAns', gpsEpochSeconds: 0xffffffff, fractionalSecond: 255 }),
    ).toEqual(hex('0d ff ff ff ff ff'));
    expect(
      encodeMacCommand({
        cid: 'LinkADRReq',
        dataRate: 15,
        txPower: 15,
        chMask: 0xffff,
        chMaskCntl: 7,
        nbTrans: 15,
        rfu: 0x80,
      }),
    ).toEqual(hex('03 ff ff ff ff'));
  });
});

describe('fuzz (fast-check)', () => {
  const direction = fc.constantFrom<MacDirection>('uplink', 'downlink');

  /** Checks the decode contract on `buf` and returns the result. */
  function checkDecode(buf: Uint8Array, dir: MacDirection) {
    const r = decodeMacCommands(buf, dir);
    const restLen = r.rest?.length ?? 0;
    const consumed = buf.length - restLen;
    // Decoded commands re-encode to exactly the bytes they were decoded from.
    expect(encodeMacCommands(r.commands)).toEqual(Buffer.from(buf.subarray(0, consumed)));
    if (r.rest === undefined) {
      expect(r.stop).toBeUndefined();
    } else {
      expect(r.rest.length).toBeGreaterThan(0);
      expect(r.rest).toEqual(Buffer.from(buf.subarray(consumed)));
      const len = macCommandLength(r.rest[0], dir);
      const expected =
        len !== undefined ? 'TRUNCATED' : r.rest[0] >= 0x80 ? 'PROPRIETARY_CID' : 'UNKNOWN_CID';
      expect(r.stop).toBe(expected);
      if (len !== undefined) expect(r.rest.length).toBeLessThan(1 + len);
    }
    return r;
  }

  it('random buffers never throw, and decoded commands re-encode to the consumed prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), direction, (buf, dir) => {
        checkDecode(buf, dir);
      }),
      { numRuns: 2000 },
    );
  });

  it('random well-formed command streams decode completely and re-encode byte for byte', () => {
    const knownCids = Object.values(Cid);
    const stream = direction.chain((dir) =>
      fc
        .array(
          fc.constantFrom(...knownCids.filter((c) => macCommandLength(c, dir) !== undefined)).chain((cid) =>
            fc
              .uint8Array({
                minLength: macCommandLength(cid, dir) ?? 0,
                maxLength: macCommandLength(cid, dir) ?? 0,
              })
              .map((p) => Buffer.concat([Buffer.from([cid]), p])),
          ),
          { maxLength: 12 },
        )
        .map((parts) => ({ dir, buf: Buffer.concat(parts), count: parts.length })),
    );
    fc.assert(
      fc.property(stream, ({ dir, buf, count }) => {
        const r = checkDecode(buf, dir);
        expect(r.rest).toBeUndefined();
        expect(r.commands).toHaveLength(count);
      }),
      { numRuns: 1000 },
    );
  });
});
