/**
 * A concurrency limiter (p-limit style): at most `n` tasks run at once, the rest wait in order.
 * One limiter per engine context bounds all blob transfers, whatever number of images run. `n` may be
 * a function, asked whenever a task could start: a bound that follows what the run learns of its links
 * (EngineContext.parallelFor).
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(n: number | (() => number)): Limiter {
  const bound = typeof n === 'number' ? () => n : n;
  const check = (v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`concurrency must be a positive integer, not ${v}`);
    return v;
  };
  check(bound());
  let active = 0;
  const queue: Array<() => void> = [];
  const pump = () => {
    while (queue.length > 0 && active < check(bound())) queue.shift()!();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        active++;
        let running: Promise<T>;
        try {
          running = task();
        } catch (e) {
          running = Promise.reject(e);
        }
        running
          .then(resolve, reject)
          .finally(() => {
            active--;
            pump();
          });
      });
      pump();
    });
}
