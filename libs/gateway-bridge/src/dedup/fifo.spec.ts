import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Fifo } from './fifo';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** A WeakRef's target is kept until the current job ends: collect after it. */
const collected = async (ref: WeakRef<object>): Promise<boolean> => {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
};

describe('Fifo', () => {
  it('gives items back in order, across compactions', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift()!);
    }
    expect(q.peek()).toBe(out.length);
    while (q.size > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('keeps no reference to a shifted item, the queue empty or not', async () => {
    const q = new Fifo<object>();
    let first: object | undefined = { n: 1 };
    let second: object | undefined = { n: 2 };
    const refs = [new WeakRef(first), new WeakRef(second)];
    q.push(first);
    q.push(second);
    q.push({ n: 3 });
    first = undefined;
    second = undefined;
    q.shift();
    q.shift();
    expect(q.size).toBe(1);
    expect(await collected(refs[0])).toBe(true);
    expect(await collected(refs[1])).toBe(true);

    let last: object | undefined = { n: 4 };
    const lastRef = new WeakRef(last);
    q.shift();
    q.push(last);
    last = undefined;
    q.shift();
    expect(q.size).toBe(0);
    expect(await collected(lastRef)).toBe(true);
  });
});
