import { mappedErrorBody } from '@lns/api';
import { QueueError } from '../queue/queue-item';
import { queueRefused } from './queue.http-errors';

describe('queue errors over HTTP', () => {
  it.each([
    ['DEVICE_NOT_FOUND', 404, 'Not Found'],
    ['QUEUE_FULL', 409, 'Conflict'],
    ['INVALID', 400, 'Bad Request'],
  ] as const)('%s is a %i naming the field at fault', (kind, statusCode, error) => {
    expect(mappedErrorBody([queueRefused], new QueueError(kind, 'fPort', 'must be 1..223'))).toEqual({
      statusCode,
      error,
      message: 'fPort: must be 1..223',
      fields: [{ field: 'fPort', reason: 'must be 1..223' }],
    });
  });
});
