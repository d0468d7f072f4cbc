import { TLSSocket } from 'node:tls';
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@lns/api';
import { BackendInterfacesService } from './backend-interfaces.service';
import { Ts002Answer } from './ts002';

/** The part of the HTTP request used here (@types/express is not a dependency). */
interface IncomingRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: unknown;
}

const JOIN_REQ_EXAMPLE = {
  ProtocolVersion: '1.0',
  SenderID: '000013',
  ReceiverID: '70b3d57ed0000001',
  TransactionID: 1234,
  MessageType: 'JoinReq',
  MACVersion: '1.0.3',
  PHYPayload: '00010000d07ed5b370300c1c000ba304001234a1b2c3d4',
  DevEUI: '0004a30b001c0530',
  DevAddr: '26011bda',
  DLSettings: '00',
  RxDelay: 1,
};

/**
 * `POST /api/backend-interfaces`: LoRaWAN Backend Interfaces (TS002) requests to this join server, JSON
 * with the specification's field names, answered synchronously (HTTP 200, the answer in the body, as
 * ChirpStack's client expects). Not behind the admin token: callers are the configured peers
 * (`backendInterfaces.peers`), authenticated by their own bearer token and/or client certificate; a caller
 * that does not authenticate gets HTTP 200 with ResultCode `UnknownSender`, as any TS002 refusal.
 */
@ApiTags('backend interfaces')
@Controller('backend-interfaces')
export class BackendInterfacesController {
  constructor(private readonly service: BackendInterfacesService) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'LoRaWAN Backend Interfaces: JoinReq → JoinAns, RejoinReq → RejoinAns, AppSKeyReq → AppSKeyAns, HomeNSReq → HomeNSAns',
    description:
      'Authenticated by the peer token of backendInterfaces.peers (Authorization: Bearer …) and/or mutual TLS. ' +
      'Every outcome is HTTP 200 with Result.ResultCode (Success, MICFailed, UnknownDevEUI, JoinReqFailed, ' +
      'MalformedRequest, UnknownSender, InvalidProtocolVersion, Other).',
  })
  @ApiBody({ schema: { type: 'object', example: JOIN_REQ_EXAMPLE } })
  @ApiOkResponse({ description: 'the answer message (…Ans) with Result.ResultCode' })
  handle(@Body() body: Record<string, unknown>, @Req() req: IncomingRequest): Promise<Ts002Answer> {
    const authorization = req.headers.authorization;
    return this.service.handle(body, {
      authorization: typeof authorization === 'string' ? authorization : undefined,
      clientCertificateVerified: req.socket instanceof TLSSocket && req.socket.authorized,
    });
  }
}
