// Request schemas of the send routes (the gateway's message.schema.ts), for the validation messages.
import type { Schema } from './validate.js';

const number: Schema = { type: 'string', description: 'Invalid format' };
const delay: Schema = { type: 'integer', description: 'Enter a value in milliseconds' };

const quoted: Schema = {
  properties: {
    key: {
      type: 'object',
      properties: { id: { type: 'string' }, remoteJid: { type: 'string' }, fromMe: { type: 'boolean' } },
      required: ['id'],
      notEmpty: ['id'],
    },
    message: { type: 'object' },
  },
};

const mentioned: Schema = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', pattern: '^\\d+', description: '"mentioned" must be an array of numeric strings' },
};

const common = {
  number,
  delay,
  quoted,
  mentionsEveryOne: { type: 'boolean' },
  everyOne: { type: 'boolean' },
  mentioned,
} satisfies Record<string, Schema>;

export const textSchema: Schema = {
  type: 'object',
  properties: { ...common, text: { type: 'string' }, linkPreview: { type: 'boolean' } },
  required: ['number', 'text'],
};

export const mediaSchema: Schema = {
  type: 'object',
  properties: {
    ...common,
    mediatype: { type: 'string', enum: ['image', 'document', 'video', 'audio'] },
    mimetype: { type: 'string' },
    media: { type: 'string' },
    fileName: { type: 'string' },
    caption: { type: 'string' },
  },
  required: ['number', 'mediatype'],
};

export const audioSchema: Schema = {
  type: 'object',
  properties: { ...common, audio: { type: 'string' } },
  required: ['number'],
};
