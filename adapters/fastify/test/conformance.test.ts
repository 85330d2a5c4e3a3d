import { runConformance } from '@portcullis/conformance';
import { createFastifyApp, supports } from './app.js';

runConformance({ name: 'fastify', supports, createApp: createFastifyApp });
