export * from './auth.js';
export * from './whatsapp.js';
