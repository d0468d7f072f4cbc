import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { fieldError, MapErrors } from '@lns/api';
import { LNS_CONFIG, LnsConfig } from '@lns/config';
import { GatewayBridgeService } from '../gateway-bridge.service';
import { GatewayRegistry } from '../gateway/gateway-registry';
import { GatewayService } from '../gateway/gateway.service';
import { CreateGatewayDto, GatewayIdParam } from './gateway.dto';
import { gatewayAlreadyRegistered } from './gateway.http-errors';
import { BridgeStatsView, GatewayView, toBridgeStatsView, toGatewayView } from './gateway.view';

function notRegistered(gatewayId: string) {
  return fieldError(404, `gateway ${gatewayId} is not registered`, 'gatewayId', 'not registered');
}

/** Gateways of the Semtech UDP bridge: registration, state and counters. */
@ApiTags('gateways')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@MapErrors(gatewayAlreadyRegistered)
@Controller('gateways')
export class GatewayController {
  constructor(
    private readonly gateways: GatewayService,
    private readonly bridge: GatewayBridgeService,
    private readonly registry: GatewayRegistry,
    @Inject(LNS_CONFIG) private readonly config: LnsConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a gateway; only registered gateways are served unless gateways.allowUnknown',
  })
  @ApiCreatedResponse({ type: GatewayView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why' })
  @ApiConflictResponse({ description: 'already registered' })
  async register(@Body() dto: CreateGatewayDto): Promise<GatewayView> {
    const gw = await this.gateways.register(dto);
    return toGatewayView(gw, Date.now());
  }

  @Get()
  @ApiOperation({ summary: 'Every gateway, registered or let in by allowUnknown, by EUI' })
  @ApiOkResponse({ type: [GatewayView] })
  list(): GatewayView[] {
    const now = Date.now();
    return this.gateways.list().map((gw) => toGatewayView(gw, now));
  }

  // Declared before :gatewayId so that "stats" is never taken for an EUI.
  @Get('stats')
  @ApiOperation({
    summary:
      'Bridge-wide counters: malformed datagrams, datagrams from unknown gateways (and which), unmatched TX_ACK',
  })
  @ApiOkResponse({ type: BridgeStatsView })
  stats(): BridgeStatsView {
    return toBridgeStatsView(this.registry, this.bridge.udpPort, this.config.gateways.allowUnknown);
  }

  @Get(':gatewayId')
  @ApiOperation({
    summary: 'State of one gateway: last seen, connected, location, protocol version, counters',
  })
  @ApiOkResponse({ type: GatewayView })
  @ApiNotFoundResponse({ description: 'not registered' })
  get(@Param() params: GatewayIdParam): GatewayView {
    const gw = this.gateways.get(params.gatewayId);
    if (!gw) throw notRegistered(params.gatewayId);
    return toGatewayView(gw, Date.now());
  }

  @Delete(':gatewayId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a gateway; its datagrams are then ignored as unknown' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'not registered' })
  async remove(@Param() params: GatewayIdParam): Promise<void> {
    if (!(await this.gateways.remove(params.gatewayId))) throw notRegistered(params.gatewayId);
  }
}
