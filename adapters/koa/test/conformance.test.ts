import { runConformance } from '@portcullis/conformance';
import { createKoaApp } from './app.js';

runConformance({ name: 'koa', supports: { websocket: true, sessions: true, decorators: true }, createApp: createKoaApp });
