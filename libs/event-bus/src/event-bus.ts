import { Logger } from '@nestjs/common';

/**
 * The events of the process, by type. Each lib adds its own by declaration merging:
 *   declare module '@lns/event-bus' { interface EventMap { 'uplink.received': UplinkReceived } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventMap {}

export type EventType = keyof EventMap;
export type Handler<K extends EventType> = (event: EventMap[K]) => void | Promise<void>;

/**
 * In-process, typed publish/subscribe. Handlers run synchronously in subscription order;
 * a handler that throws or rejects is logged and never reaches the publisher, so one
 * faulty subscriber cannot break the uplink path. The interface is the seam for a
 * distributed transport later (ARCHITECTURE.md "Where state lives").
 */
export class EventBus {
  private readonly handlers = new Map<EventType, Handler<EventType>[]>();
  private readonly logger = new Logger('EventBus');

  on<K extends EventType>(type: K, handler: Handler<K>): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as Handler<EventType>);
    this.handlers.set(type, list);
    return () => {
      const current = this.handlers.get(type);
      if (current)
        this.handlers.set(
          type,
          current.filter((h) => h !== handler),
        );
    };
  }

  emit<K extends EventType>(type: K, event: EventMap[K]): void {
    const list = this.handlers.get(type);
    if (!list) return;
    for (const handler of list) {
      try {
        const r = handler(event);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.report(type, err));
        }
      } catch (err) {
        this.report(type, err);
      }
    }
  }

  listenerCount(type: EventType): number {
    return this.handlers.get(type)?.length ?? 0;
  }

  private report(type: EventType, err: unknown): void {
    this.logger.error(`handler of ${String(type)} failed: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
