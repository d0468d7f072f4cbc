/** One good LoRa rxpk (PROTOCOL.TXT §4), PHYPayload 01 02 03: a fixture for the bridge's specs. */
export const RXPK = {
  tmst: 1000,
  chan: 0,
  rfch: 0,
  freq: 868.1,
  stat: 1,
  modu: 'LORA',
  datr: 'SF7BW125',
  codr: '4/5',
  rssi: -50,
  lsnr: 9.5,
  size: 3,
  data: 'AQID',
};
