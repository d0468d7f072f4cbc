import { getRegion } from '@lns/lorawan';
import { buildTxpk } from './txpk';

describe('buildTxpk', () => {
  const phy = Buffer.from('600000000000', 'hex');

  it('Class A: tmst = uplink tmst + delay, modulo 2^32; power from the region', () => {
    const eu = getRegion('EU868');
    const tx = buildTxpk(
      eu,
      { name: 'RX1', frequency: 868_100_000, dataRate: 5, delay: 1 },
      phy,
      2 ** 32 - 500_000,
    );
    expect(tx).toMatchObject({
      tmst: 500_000,
      frequency: 868_100_000,
      power: eu.downlinkTxPower(868_100_000),
      modulation: 'LORA',
      spreadingFactor: 7,
      bandwidth: 125_000,
      codeRate: '4/5',
      invertPolarity: true,
      rfChain: 0,
    });
    expect(tx.imme).toBeUndefined();
  });

  it('Class C: imme; US915 500 kHz downlink data rates; FSK with its deviation', () => {
    const us = getRegion('US915');
    expect(buildTxpk(us, { name: 'RXC', frequency: 923_300_000, dataRate: 8 }, phy)).toMatchObject({
      imme: true,
      spreadingFactor: 12,
      bandwidth: 500_000,
    });
    expect(
      buildTxpk(getRegion('EU868'), { name: 'RX1', frequency: 868_800_000, dataRate: 7, delay: 1 }, phy, 0),
    ).toMatchObject({
      modulation: 'FSK',
      bitRate: 50_000,
      frequencyDeviation: 25_000,
    });
  });
});
