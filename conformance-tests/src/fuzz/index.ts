// @portcullis/conformance/fuzz: the differential fuzzer (issue #11) for adapter authors.
export { fuzzApp, fuzzJwt, fuzzScenario, FUZZ_NOW, FUZZ_ISSUER, FUZZ_AUDIENCE, FUZZ_JWT_SECRET, FUZZ_API_KEY, FUZZ_ROUTES, ROUTE_HEADER, USER_HEADER } from './app.js';
export type { FuzzRequest } from './arbitraries.js';
export { hostileRequest, describeRequest, signFuzzJwt, fuzzClaims, FUZZ_JWT_HEADER, SESSION, TAMPERED_SESSION, FUZZ_METHODS } from './arbitraries.js';
export type { AnswerKind, NormalizedAnswer, OracleOptions } from './oracle.js';
export { normalize, checkAnswers } from './oracle.js';
export type { FuzzTarget, FuzzOptions } from './run.js';
export { sendFuzz, startFuzzTarget, fuzzAdapters } from './run.js';
