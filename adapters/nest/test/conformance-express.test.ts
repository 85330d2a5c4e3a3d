import { runConformance } from '@portcullis/conformance';
import { createNestApp, supports } from './app.js';

runConformance({ name: 'nest (express)', supports, createApp: (spec) => createNestApp(spec, 'express') });
