import { Logger } from '@nestjs/common';
import {
  INTAKE_INTERVAL_MS,
  INTAKE_INTERVALS_OVER,
  INTAKE_MIN_PUBLISHED,
  INTAKE_TARGET_DELAY_MS,
  IntakeGuard,
} from './intake-guard';

describe('IntakeGuard', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));

  /** One interval in which uplinks were published with these delays (each delay given stands for a share of a busy interval). */
  const interval = (guard: IntakeGuard, ...delays: number[]) => {
    for (let i = 0; i < INTAKE_MIN_PUBLISHED; i++) for (const d of delays) guard.published(d);
    guard.closeInterval();
  };

  it('refuses once the least delay stood above the target for the intervals needed', () => {
    const guard = new IntakeGuard();
    const late = INTAKE_TARGET_DELAY_MS + 1;
    for (let i = 1; i < INTAKE_INTERVALS_OVER; i++) {
      interval(guard, late, late + 500);
      expect(guard.refusing).toBe(false);
    }
    interval(guard, late);
    expect(guard.refusing).toBe(true);
    expect(guard.episodes).toBe(1);
    // The worker reads the same memory.
    expect(Atomics.load(new Int32Array(guard.shared), 0)).toBe(1);
  });

  it('does not refuse for a spike: one uplink on time in an interval keeps intake open', () => {
    const guard = new IntakeGuard();
    for (let i = 0; i < INTAKE_INTERVALS_OVER + 2; i++) interval(guard, 5_000, INTAKE_TARGET_DELAY_MS, 9_000);
    expect(guard.refusing).toBe(false);
    expect(guard.episodes).toBe(0);
  });

  it('needs the intervals over the target in a row', () => {
    const guard = new IntakeGuard();
    for (let i = 0; i < 3 * INTAKE_INTERVALS_OVER; i++) {
      if (i % INTAKE_INTERVALS_OVER === 0) interval(guard, 1);
      else interval(guard, INTAKE_TARGET_DELAY_MS + 100);
    }
    expect(guard.refusing).toBe(false);
  });

  it('resumes when an interval publishes on time, or publishes nothing (drained)', () => {
    const guard = new IntakeGuard();
    const late = INTAKE_TARGET_DELAY_MS + 50;
    for (let i = 0; i < INTAKE_INTERVALS_OVER; i++) interval(guard, late);
    expect(guard.refusing).toBe(true);
    interval(guard, late, late + 100); // still draining: stays refusing
    expect(guard.refusing).toBe(true);
    interval(guard, 10, late);
    expect(guard.refusing).toBe(false);

    for (let i = 0; i < INTAKE_INTERVALS_OVER; i++) interval(guard, late);
    expect(guard.refusing).toBe(true);
    interval(guard);
    expect(guard.refusing).toBe(false);
    expect(guard.episodes).toBe(2);
  });

  it('does not refuse under light load, however late (a slow disk, a busy machine)', () => {
    const guard = new IntakeGuard();
    for (let i = 0; i < 2 * INTAKE_INTERVALS_OVER; i++) {
      for (let j = 1; j < INTAKE_MIN_PUBLISHED; j++) guard.published(10_000);
      guard.closeInterval();
    }
    expect(guard.refusing).toBe(false);
  });

  it('closes an interval due when an uplink is published, should the timer run late (busy event loop)', () => {
    const guard = new IntakeGuard();
    guard.onModuleInit();
    try {
      const late = INTAKE_TARGET_DELAY_MS + 1;
      let now = Date.now();
      for (let i = 0; i < INTAKE_INTERVALS_OVER; i++) {
        for (let j = 0; j < INTAKE_MIN_PUBLISHED; j++) guard.published(late, now);
        now += INTAKE_INTERVAL_MS;
      }
      // The interval timer has not run (this test holds the event loop): published() closed them.
      guard.published(late, now);
      expect(guard.refusing).toBe(true);
    } finally {
      guard.onModuleDestroy();
    }
  });

  it('counts what the sockets refused', () => {
    const guard = new IntakeGuard();
    guard.refused(3);
    guard.refused(1);
    expect(guard.refusedDatagrams).toBe(4);
  });
});
