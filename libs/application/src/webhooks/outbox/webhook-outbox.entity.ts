import { Column, Entity, Index, PrimaryColumn, ValueTransformer } from 'typeorm';

/** bigint columns come back as strings from PostgreSQL; the values here stay below 2^53. */
const asNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};

/**
 * One event to deliver to one webhook (migration 1763810000000-webhooks). A row is written
 * before anything is sent and deleted once the endpoint took the event or it was given up,
 * so what is here after a crash is delivered after the restart. Deleting the webhook (or its
 * application) deletes its rows.
 */
@Entity('webhook_outbox')
@Index(['webhookId', 'id'])
export class WebhookOutboxEntity {
  /** Assigned in the process, increasing: the delivery order of an endpoint. */
  @PrimaryColumn({ type: 'bigint', transformer: asNumber })
  id!: number;

  @Column({ name: 'webhook_id', type: 'varchar', length: 36 })
  webhookId!: string;

  /** Sent as `X-LNS-Delivery-Id`; the same on every attempt, so a receiver can drop a repeat. */
  @Column({ name: 'delivery_id', type: 'varchar', length: 36 })
  deliveryId!: string;

  @Column({ name: 'application_id', type: 'varchar', length: 36 })
  applicationId!: string;

  @Column({ name: 'dev_eui', type: 'text' })
  devEui!: string;

  /** up, join, ack, txack, status or log. */
  @Column({ type: 'varchar', length: 8 })
  event!: string;

  /** The event's JSON, exactly as published on MQTT. */
  @Column({ type: 'text' })
  body!: string;

  /** When the event happened, ms since the epoch: the maximum age counts from here. */
  @Column({ name: 'created_at', type: 'bigint', transformer: asNumber })
  createdAt!: number;

  /** Failed attempts so far. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Not to be tried before this (ms since the epoch); null: at once. */
  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: asNumber })
  nextAttemptAt!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError!: string | null;
}
