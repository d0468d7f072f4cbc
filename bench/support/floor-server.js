/**
 * The floor: the least a Semtech UDP server can do. It parses each PUSH_DATA's JSON and answers
 * PUSH_ACK (PROTOCOL.TXT §3), nothing else: no rxpk decoding, no deduplication, no LoRaWAN, no
 * database, no MQTT. Same socket receive buffer as the real bridge (4 MiB). Prints `port=<n>`.
 */
/* global require, process, Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node itself */
'use strict';
const dgram = require('node:dgram');

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
let parsed = 0;
let bad = 0;
socket.on('message', (msg, from) => {
  if (msg.length < 12 || msg[3] !== 0x00) return;
  try {
    JSON.parse(msg.toString('utf8', 12));
    parsed++;
  } catch {
    bad++;
    return;
  }
  socket.send(Buffer.from([msg[0], msg[1], msg[2], 0x01]), from.port, from.address);
});
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(`port=${socket.address().port}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`parsed=${parsed} bad=${bad}\n`);
  socket.close(() => process.exit(0));
});
