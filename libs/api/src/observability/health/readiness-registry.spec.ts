import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness-registry';

describe('ReadinessRegistry', () => {
  const run = (r: ReadinessRegistry) => Promise.all(r.checks().map((c) => c()));

  it('has no checks until the app adds some', () => {
    expect(new ReadinessRegistry(new HealthIndicatorService()).checks()).toEqual([]);
  });

  it('turns each probe into a terminus result named by its key, with its fields', async () => {
    const r = new ReadinessRegistry(new HealthIndicatorService());
    let bound = true;
    r.add('udp', () => (bound ? { up: true, port: 1700 } : { up: false, message: 'not bound' }));
    r.add('mqtt', async () => ({ up: true, mode: 'embedded' }));
    expect(r.keys()).toEqual(['udp', 'mqtt']);
    expect(await run(r)).toEqual([
      { udp: { status: 'up', port: 1700 } },
      { mqtt: { status: 'up', mode: 'embedded' } },
    ]);
    bound = false;
    expect((await run(r))[0]).toEqual({ udp: { status: 'down', message: 'not bound' } });
  });

  it('reports a probe that throws as down with its message', async () => {
    const r = new ReadinessRegistry(new HealthIndicatorService());
    r.add('broker', () => {
      throw new Error('boom');
    });
    expect(await run(r)).toEqual([{ broker: { status: 'down', message: 'boom' } }]);
  });
});
