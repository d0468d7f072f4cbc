import { Body, Controller, HttpCode, Ip, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Public } from '@lns/api';
import { ClaimErrorFilter } from './claim-error.filter';
import { ClaimDto, ClaimView } from './claim.dto';
import { ClaimService } from './claim.service';

/**
 * `POST /api/js/claims`. No bearer token: the owner token is the credential, as a device's label is
 * meant to be the proof of holding it (TR005). What guards it: tokens of 120 random bits, one refusal
 * for every failure, and 5 refusals a minute per client address and per DevEUI.
 */
@ApiTags('join server: claims')
@Public()
@UseFilters(ClaimErrorFilter)
@Controller('js/claims')
export class ClaimsController {
  constructor(private readonly claims: ClaimService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Claim a device with its DevEUI and owner token: the caller becomes its owner (and names the NetID allowed to ask for its joins, and the key its AppSKey is wrapped under). The token is used up.',
  })
  @ApiOkResponse({ type: ClaimView })
  @ApiBadRequestResponse({ description: '`fields` names each malformed field' })
  @ApiForbiddenResponse({ description: 'unknown DevEUI, wrong or used token: one and the same answer' })
  @ApiTooManyRequestsResponse({ description: 'too many refusals for this client or DevEUI; see Retry-After' })
  async claim(@Body() body: ClaimDto, @Ip() ip: string): Promise<ClaimView> {
    const r = await this.claims.claim(body, ip);
    return { ...r, claimedAt: r.claimedAt.toISOString() };
  }
}
