import { runConformance } from '@portcullis/conformance';
import { createHonoApp } from './app.js';

runConformance({ name: 'hono', supports: { websocket: true, sessions: true, decorators: true }, createApp: createHonoApp });
