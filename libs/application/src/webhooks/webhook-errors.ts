/** The application has no webhook with this id. */
export class WebhookNotFoundError extends Error {
  constructor(
    readonly applicationId: string,
    readonly webhookId: string,
  ) {
    super(`application ${applicationId} has no webhook ${webhookId}`);
    this.name = 'WebhookNotFoundError';
  }
}

/** The application has as many webhooks as it may. */
export class WebhookLimitError extends Error {
  constructor(
    readonly applicationId: string,
    readonly limit: number,
  ) {
    super(`application ${applicationId} already has ${limit} webhooks, the most it may have`);
    this.name = 'WebhookLimitError';
  }
}
