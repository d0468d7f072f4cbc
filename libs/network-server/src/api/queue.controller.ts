import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
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
import { ApplicationScoped, MapErrors, mappedException } from '@lns/api';
import { DeviceQueueService } from '../queue/device-queue.service';
import { awaitsAck, QueueError, QueueItem } from '../queue/queue-item';
import { DeviceRegistry } from '../registry/device-registry';
import { deviceScope } from '../registry/api/device-scope';
import { DevEuiParam, EnqueueDownlinkDto, EnqueuedView, QueueItemView, QueueView } from './queue.dto';
import { queueRefused } from './queue.http-errors';

/** What a missing device answers (the queue service says the same); another application's too, to its tokens. */
const noSuchDevice = (devEui: string) =>
  mappedException(queueRefused, new QueueError('DEVICE_NOT_FOUND', 'devEui', `no device ${devEui}`));

export function toQueueItemView(item: QueueItem, isHead: boolean): QueueItemView {
  const view: QueueItemView = {
    id: item.id,
    devEui: item.devEui,
    fPort: item.fPort,
    data: item.data.toString('base64'),
    confirmed: item.confirmed,
    isEncrypted: item.isEncrypted,
    attempts: item.attempts,
    isPending: isHead && awaitsAck(item),
    createdAt: new Date(item.createdAt).toISOString(),
  };
  if (item.fCntDown !== null) view.fCntDown = item.fCntDown;
  if (item.expiresAt !== null) view.expiresAt = new Date(item.expiresAt).toISOString();
  return view;
}

/** The downlink queue of a device (CONTRACT.md): enqueue, list, flush. */
@ApiTags('devices')
@ApplicationScoped(deviceScope(noSuchDevice))
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
@MapErrors(queueRefused)
@Controller('devices/:devEui/queue')
export class QueueController {
  constructor(
    private readonly queue: DeviceQueueService,
    private readonly registry: DeviceRegistry,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      'Queue a downlink: {fPort, data, confirmed?}, or for tunnel applications {fPort, data, fCntDown, isEncrypted: true}',
  })
  @ApiCreatedResponse({ type: EnqueuedView })
  @ApiBadRequestResponse({ description: '`fields` names each wrong field and why (e.g. a stale fCntDown)' })
  @ApiNotFoundResponse({ description: 'no such device' })
  @ApiConflictResponse({ description: 'the queue is full' })
  async enqueue(@Param() p: DevEuiParam, @Body() dto: EnqueueDownlinkDto): Promise<EnqueuedView> {
    const item = await this.queue.enqueue(p.devEui, {
      fPort: dto.fPort,
      data: Buffer.from(dto.data, 'base64'),
      confirmed: dto.confirmed,
      isEncrypted: dto.isEncrypted,
      ...(dto.fCntDown !== undefined && { fCntDown: dto.fCntDown }),
      ...(dto.expiresAt !== undefined && { expiresAt: Date.parse(dto.expiresAt) }),
    });
    return item.isEncrypted && item.fCntDown !== null
      ? { id: item.id, fCntDown: item.fCntDown }
      : { id: item.id };
  }

  @Get()
  @ApiOperation({ summary: 'The pending downlinks, oldest (next to go) first' })
  @ApiOkResponse({ type: QueueView })
  @ApiNotFoundResponse({ description: 'no such device' })
  list(@Param() p: DevEuiParam): QueueView {
    this.requireDevice(p.devEui);
    const items = this.queue.list(p.devEui);
    return { totalCount: items.length, result: items.map((item, i) => toQueueItemView(item, i === 0)) };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Flush the queue' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such device' })
  async flush(@Param() p: DevEuiParam): Promise<void> {
    this.requireDevice(p.devEui);
    await this.queue.flush(p.devEui);
  }

  private requireDevice(devEui: string): void {
    if (!this.registry.get(devEui)) throw noSuchDevice(devEui);
  }
}
