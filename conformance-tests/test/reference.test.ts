import { runConformance } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';

runConformance({ name: 'reference', supports: { websocket: false, sessions: true }, createApp: createReferenceServer });
