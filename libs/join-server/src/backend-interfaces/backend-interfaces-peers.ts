import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BackendInterfacesPeerConfig, LNS_CONFIG, LnsConfig } from '@lns/config';
import { KeyWrapping } from '../join/join-request';

/** A network server (or application server) allowed to send requests, as configured. */
export interface BackendInterfacesPeer {
  /** Lowercase, as configured. */
  senderId: string;
  /** The KEK session keys sent to it are wrapped under; none = in clear (KEKLabel ""). */
  kek?: KeyWrapping;
}

/** What the transport tells about the caller. */
export interface CallerCredentials {
  /** The `Authorization` header as received. */
  authorization?: string;
  /** The caller presented a client certificate that the configured CA verified (mutual TLS). */
  clientCertificateVerified: boolean;
}

interface ConfiguredPeer extends BackendInterfacesPeer {
  tokenDigest?: Buffer;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

const NO_TOKEN = digest('');

/**
 * The callers of `POST /api/backend-interfaces` (config `backendInterfaces.peers`). A request is
 * authenticated when its SenderID is a configured peer and, for that peer, the bearer token matches (when
 * the peer has one) and a verified client certificate was presented (when mutual TLS is on,
 * `http.tls.caFile`). Anything else is refused the same way, so a caller learns nothing about which
 * SenderIDs are peers.
 */
@Injectable()
export class BackendInterfacesPeers {
  private readonly peers = new Map<string, ConfiguredPeer>();
  private readonly mutualTls: boolean;

  constructor(@Inject(LNS_CONFIG) config: LnsConfig) {
    this.mutualTls = Boolean(config.http?.tls?.caFile);
    for (const p of config.backendInterfaces?.peers ?? [])
      this.peers.set(p.senderId.toLowerCase(), toPeer(p));
  }

  get size(): number {
    return this.peers.size;
  }

  authenticate(senderId: string, creds: CallerCredentials): BackendInterfacesPeer | undefined {
    const peer = this.peers.get(senderId.toLowerCase());
    // Compared whether or not the peer exists, so the time taken does not tell.
    const presented = bearer(creds.authorization);
    const match = timingSafeEqual(digest(presented ?? ''), peer?.tokenDigest ?? NO_TOKEN);
    const tokenOk = peer?.tokenDigest ? presented !== undefined && match : true;
    if (!peer || !tokenOk) return undefined;
    if (this.mutualTls && !creds.clientCertificateVerified) return undefined;
    return { senderId: peer.senderId, ...(peer.kek ? { kek: peer.kek } : {}) };
  }
}

function toPeer(p: BackendInterfacesPeerConfig): ConfiguredPeer {
  return {
    senderId: p.senderId.toLowerCase(),
    ...(p.token ? { tokenDigest: digest(p.token) } : {}),
    ...(p.kek && p.kekLabel ? { kek: { kekLabel: p.kekLabel, kek: Buffer.from(p.kek, 'hex') } } : {}),
  };
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return m ? m[1].trim() : undefined;
}
