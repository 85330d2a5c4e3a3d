import { runConformance } from '@portcullis/conformance';
import { createApp, supports } from '../example/node-http.js';

// The adapter author guide's worked example (docs/adapters.md): every scenario it declares `supports` for.
runConformance({ name: 'node:http (docs/adapters.md)', supports, createApp });
