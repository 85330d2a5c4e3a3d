// The conformance suite against @portcullis/fetch on Node (the reference adapter's
// spec app is this adapter: conformance-tests/src/reference.ts), over real HTTP.
// Websockets are not in the adapter (each runtime upgrades its own way); a guarded
// upgrade request is still refused with 403 (types.test.ts).
import { runConformance } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';

runConformance({ name: 'fetch', supports: { websocket: false, sessions: true, decorators: true }, createApp: createReferenceServer });
