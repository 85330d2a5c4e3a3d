// What both apps of each JWT section share: where tokens come from and who they are for.
/** The `iss` the apps accept. */
export const ISSUER = 'https://id.example';
/** The `aud` the apps accept. */
export const AUDIENCE = 'https://api.example';

/** Options of the JWT apps. */
export interface JwtAppOptions {
  /** The HS256 secret shared with the token issuer: 32 random bytes or more. */
  readonly secret: string;
}
