import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LNS_CONFIG, LNS_SECRETS, LnsConfig, Secrets } from '@lns/config';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Who may import manufacturer records and print their labels: the bearer of the manufacturer token
 * (`joinServer.manufacturerToken`, generated into the data dir when empty) or of the admin token.
 * A manufacturer's label line then never holds the admin token.
 */
@Injectable()
export class ManufacturerCredentials implements OnModuleInit {
  private readonly logger = new Logger('JoinServer');
  private readonly accepted: Buffer[];

  constructor(
    @Inject(LNS_SECRETS) private readonly secrets: Secrets,
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
  ) {
    this.accepted = [secrets.adminToken, secrets.manufacturerToken]
      .filter((t): t is string => typeof t === 'string' && t.length > 0)
      .map(digest);
  }

  onModuleInit(): void {
    if (this.secrets.generatedManufacturerToken) {
      // Printed once, on the start that generated it, as the admin token is.
      this.logger.log(
        `manufacturer token (generated, saved in ${this.config.dataDir}/manufacturer-token): ${this.secrets.generatedManufacturerToken}`,
      );
    }
  }

  /** True for `Bearer <manufacturer or admin token>`; digests compared in constant time. */
  accepts(authorization: string | undefined): boolean {
    const m = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!m) return false;
    const presented = digest(m[1].trim());
    // Every accepted token is compared, so the time does not say which one matched.
    let ok = false;
    for (const a of this.accepted) ok = timingSafeEqual(presented, a) || ok;
    return ok;
  }
}
