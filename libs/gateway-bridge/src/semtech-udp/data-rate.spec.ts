import { formatLoraDataRate, isFskBitRate, isLoraCodeRate, parseLoraDataRate } from './data-rate';

describe('LoRa data rate strings (PROTOCOL.TXT §4 datr)', () => {
  it.each([
    ['SF7BW125', 7, 125_000],
    ['SF12BW500', 12, 500_000],
    ['SF5BW250', 5, 250_000],
  ])('parses %s', (datr, spreadingFactor, bandwidth) => {
    expect(parseLoraDataRate(datr)).toEqual({ spreadingFactor, bandwidth });
    expect(formatLoraDataRate(spreadingFactor, bandwidth)).toBe(datr);
  });

  it.each(['SF13BW125', 'SF4BW125', 'SF7BW200', 'sf7bw125', 'SF7 BW125', 'SF7BW125 ', '', 50000, null])(
    'refuses %p',
    (datr) => {
      expect(parseLoraDataRate(datr)).toBeUndefined();
    },
  );

  it('formats only pairs a concentrator has', () => {
    expect(formatLoraDataRate(9, 125_000)).toBe('SF9BW125');
    expect(formatLoraDataRate(9, 125_500)).toBeUndefined();
    expect(formatLoraDataRate(13, 125_000)).toBeUndefined();
    expect(formatLoraDataRate(9.5, 125_000)).toBeUndefined();
  });

  it('knows FSK bit rates and LoRa coding rates', () => {
    expect(isFskBitRate(50_000)).toBe(true);
    expect(isFskBitRate('50000')).toBe(false);
    expect(isFskBitRate(0)).toBe(false);
    expect(isFskBitRate(50_000.5)).toBe(false);
    expect(['4/5', '4/6', '4/7', '4/8', 'OFF'].every(isLoraCodeRate)).toBe(true);
    expect(['4/9', '2/3', 45, ''].some(isLoraCodeRate)).toBe(false);
  });
});
