/** One load step at a fixed offered rate, as judged by its scenario. */
export interface StepOutcome {
  /** Uplinks/s asked for, and sent (uplinks ÷ time from first to last send). */
  targetRate: number;
  rate: number;
  seconds: number;
  pass: boolean;
  /** Why it failed, in a few words. */
  why?: string;
  /** The generator could not send at the rate asked: the step says nothing about the server. */
  generatorBound: boolean;
}

export interface SearchResult<S extends StepOutcome> {
  steps: S[];
  /** The step that sustained its rate for the full duration with zero loss, if any. */
  sustained?: S;
  /** What ended the search: a failing step, the generator's own limit, or the top of the ladder. */
  ceiling: 'server' | 'generator' | 'ladder';
}

/**
 * Stepwise search for the highest rate with zero loss: the ladder is climbed with short probes
 * until a step fails, the gap to the failing rate is bisected once, then the best rate is held
 * for the full duration; if that fails, 80 % of it is tried (twice at most). In quick mode the
 * probes already last the full duration, so the best probe is the answer.
 */
export async function stepwiseSearch<S extends StepOutcome>(
  run: (rate: number, seconds: number) => Promise<S>,
  opts: {
    ladder: number[];
    probeSeconds: number;
    holdSeconds: number;
    log: (line: string) => void;
    /** More about a step, on its log line. */
    detail?: (step: S) => string;
    /**
     * Whether a passing probe may be held: one that passed while a backlog was already growing
     * (latency far above the window) fails the hold and leaves the machine behind for the steps
     * after it. Default: every passing probe.
     */
    holdable?: (step: S) => boolean;
  },
): Promise<SearchResult<S>> {
  const steps: S[] = [];
  const probe = async (rate: number, seconds: number): Promise<S> => {
    const s = await run(rate, seconds);
    steps.push(s);
    opts.log(describe(s) + (opts.detail ? `; ${opts.detail(s)}` : ''));
    return s;
  };
  let best: S | undefined;
  /** The best probe that may be held (see holdable). */
  let steady: S | undefined;
  const holdable = opts.holdable ?? (() => true);
  const consider = (s: S) => {
    best = s;
    if (holdable(s)) steady = s;
  };
  let ceiling: SearchResult<S>['ceiling'] = 'ladder';
  for (let k = 0; k < opts.ladder.length; k++) {
    const s = await probe(opts.ladder[k], opts.probeSeconds);
    if (s.generatorBound) {
      if (s.pass && (!best || s.rate > best.rate)) consider(s);
      ceiling = 'generator';
      break;
    }
    if (s.pass) {
      consider(s);
      continue;
    }
    ceiling = 'server';
    const low = k > 0 ? opts.ladder[k - 1] : 0;
    const mid = Math.round((low + opts.ladder[k]) / 2 / 100) * 100;
    if (mid > low && mid < opts.ladder[k]) {
      const m = await probe(mid, opts.probeSeconds);
      if (m.pass && !m.generatorBound) consider(m);
    }
    break;
  }
  if (!best) return { steps, ceiling };
  if (opts.holdSeconds <= opts.probeSeconds) return { steps, sustained: best, ceiling };
  let rate = (steady ?? best).targetRate;
  for (let attempt = 0; attempt < 3 && rate > 0; attempt++) {
    const s = await probe(rate, opts.holdSeconds);
    if (s.pass) return { steps, sustained: s, ceiling };
    rate = Math.round((rate * 0.8) / 100) * 100;
  }
  return { steps, ceiling };
}

function describe(s: StepOutcome): string {
  const verdict = s.pass ? 'pass' : `FAIL (${s.why ?? '?'})`;
  const gen = s.generatorBound ? ', generator-bound' : '';
  return `  ${String(s.targetRate).padStart(6)}/s × ${s.seconds} s: sent ${Math.round(s.rate)}/s, ${verdict}${gen}`;
}
