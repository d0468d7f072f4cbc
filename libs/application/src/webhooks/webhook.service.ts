import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { KeyCipher } from '@lns/storage';
import { ApplicationNotFoundError } from '../tokens/api-token.errors';
import { EndpointStatus } from './delivery/endpoint-worker';
import { normalizeWebhookUrl } from './validation/webhook-url';
import { toWebhookRow, Webhook } from './webhook';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookLimitError, WebhookNotFoundError } from './webhook-errors';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from './webhook-event-types';
import { WEBHOOK_OPTIONS, WebhookOptions } from './webhook-options';
import { WebhookRepository } from './webhook.repository';

/** What a new webhook is given (validated by the DTO). */
export interface CreateWebhook {
  url: string;
  headers?: Record<string, string>;
  events?: WebhookEventType[];
}

/** A webhook as listed: header names only. */
export interface WebhookInfo {
  id: string;
  applicationId: string;
  url: string;
  headerNames: string[];
  events: WebhookEventType[];
  createdAt: Date;
  pending: number;
  status: EndpointStatus;
}

const IDLE: EndpointStatus = {
  inMemory: 0,
  failures: 0,
  nextAttemptAt: null,
  lastError: null,
  lastErrorAt: null,
};

/** The webhooks of applications: created, listed, deleted; delivery is WebhookDispatcher's. */
@Injectable()
export class WebhookService {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly cipher: KeyCipher,
    @Inject(WEBHOOK_OPTIONS) private readonly options: WebhookOptions,
  ) {}

  /** Throws ApplicationNotFoundError, WebhookLimitError. Events from now on go to it. */
  async create(applicationId: string, input: CreateWebhook): Promise<WebhookInfo> {
    await this.requireApplication(applicationId);
    if (this.dispatcher.byApplicationId(applicationId).length >= this.options.maxPerApplication) {
      throw new WebhookLimitError(applicationId, this.options.maxPerApplication);
    }
    const webhook: Webhook = {
      id: randomUUID(),
      applicationId,
      url: normalizeWebhookUrl(input.url),
      headers: { ...(input.headers ?? {}) },
      events: input.events ? new Set(input.events) : null,
      createdAt: new Date(),
    };
    await this.repository.insertWebhook(toWebhookRow(this.cipher, webhook));
    this.dispatcher.add(webhook);
    return this.info(webhook, 0);
  }

  /** Oldest first. Throws ApplicationNotFoundError. */
  async list(applicationId: string): Promise<WebhookInfo[]> {
    await this.requireApplication(applicationId);
    const hooks = this.dispatcher.byApplicationId(applicationId);
    const pending = await this.dispatcher.pending(hooks.map((h) => h.id));
    return hooks.map((h) => this.info(h, pending.get(h.id) ?? 0));
  }

  /** Stops it at once; its undelivered events go with it. Throws ApplicationNotFoundError, WebhookNotFoundError. */
  async delete(applicationId: string, webhookId: string): Promise<void> {
    await this.requireApplication(applicationId);
    if (!(await this.dispatcher.remove(applicationId, webhookId))) {
      throw new WebhookNotFoundError(applicationId, webhookId);
    }
  }

  private info(w: Webhook, pending: number): WebhookInfo {
    return {
      id: w.id,
      applicationId: w.applicationId,
      url: w.url,
      headerNames: Object.keys(w.headers),
      events: w.events ? WEBHOOK_EVENT_TYPES.filter((t) => w.events!.has(t)) : [...WEBHOOK_EVENT_TYPES],
      createdAt: w.createdAt,
      pending,
      status: this.dispatcher.status(w.id) ?? IDLE,
    };
  }

  private async requireApplication(applicationId: string): Promise<void> {
    if (!(await this.repository.applicationExists(applicationId))) {
      throw new ApplicationNotFoundError(applicationId);
    }
  }
}
