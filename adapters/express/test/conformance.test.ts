import { runConformance } from '@portcullis/conformance';
import { createExpressApp } from './app.js';

runConformance({ name: 'express', supports: { websocket: true, sessions: true, decorators: true }, createApp: createExpressApp });
