// The conformance suite against @portcullis/fetch on Node (the reference adapter's
// spec app is this adapter: conformance-tests/src/reference.ts), over real HTTP.
// Node's http server has no Fetch upgrade: websocket routes are served by
// @portcullis/node's upgradeHandler with this adapter's authenticator and guards
// (createReferenceServer), as an app of @portcullis/fetch on Node does.
import { runConformance } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';

runConformance({ name: 'fetch', supports: { websocket: true, sessions: true, decorators: true }, createApp: createReferenceServer });
