// A tiny typed event emitter. A throwing handler must not leave the emitter's owner half-updated,
// so handler errors are rethrown on their own microtask, where they surface as uncaught errors.

type Handler<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<Handler<never>>>();

  on<E extends keyof Events>(name: E, handler: Handler<Events[E]>): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<E extends keyof Events>(name: E, payload: Events[E]): void {
    for (const handler of this.handlers.get(name) ?? []) {
      try {
        (handler as Handler<Events[E]>)(payload);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}
