export type { Hasher, VerifyOutcome } from './hasher.js';
