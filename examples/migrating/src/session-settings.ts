/** Options of the session apps. */
export interface SessionAppOptions {
  /** Signs the session cookie (and, after, CSRF tokens): 32+ random characters. */
  readonly secret: string;
  /** `Secure` cookies. Turn off only for plain-HTTP development and tests. */
  readonly secure: boolean;
}
