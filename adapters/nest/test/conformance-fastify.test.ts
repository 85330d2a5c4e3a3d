import { runConformance } from '@portcullis/conformance';
import { createNestApp, supports } from './app.js';

runConformance({ name: 'nest (fastify)', supports, createApp: (spec) => createNestApp(spec, 'fastify') });
