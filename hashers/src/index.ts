export type { Hasher, VerifyOutcome } from "@portcullis/core/hashing";
