import { runConformance } from '@portcullis/conformance';
import { createApp, supports } from '../example/node-http.js';

// The worked example of docs/adapters.md: every scenario it declares in `supports` must pass.
runConformance({ name: 'node:http', supports, createApp });
