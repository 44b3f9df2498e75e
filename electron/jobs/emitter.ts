/** A typed event source: the owner keeps `fire`, the world gets `event` and a disposer per listener. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}
