/** An application token was deleted: whoever holds a connection made with it drops it. */
export interface ApiTokenRevoked {
  tokenId: string;
  applicationId: string;
}

declare module '@lns/event-bus' {
  interface EventMap {
    'application.token.revoked': ApiTokenRevoked;
  }
}
