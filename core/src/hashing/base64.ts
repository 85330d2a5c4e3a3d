// Base64 variants used by stored hash formats. Decoders are strict: they return
// null for any character outside the alphabet (no whitespace skipping, unlike atob)
// and for non-canonical spellings, so one hash has one spelling.

const STANDARD = /^[A-Za-z0-9+/]*$/;
const PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function toBinary(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return binary;
}

function fromBinary(binary: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Standard alphabet with `=` padding (Django). */
export function encodeBase64(bytes: Uint8Array): string {
  return btoa(toBinary(bytes));
}

/** Standard alphabet with `=` padding (Django); null unless canonical. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!PADDED.test(text)) return null;
  const binary = atob(text);
  if (btoa(binary) !== text) return null;
  return fromBinary(binary);
}

/** Standard alphabet without padding: the PHC string format's "B64". */
export function encodeB64(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, '');
}

/** Standard alphabet without padding (PHC "B64"); null unless canonical. */
export function decodeB64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!STANDARD.test(text) || text.length % 4 === 1) return null;
  const padded = text + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  if (btoa(binary) !== padded) return null;
  return fromBinary(binary);
}

/** passlib's "adapted base64": `.` instead of `+`, no padding. */
export function encodeAb64(bytes: Uint8Array): string {
  return encodeB64(bytes).replace(/\+/g, '.');
}

/** passlib's "adapted base64" (`.` for `+`; passlib also accepts `+`); null unless canonical. */
export function decodeAb64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.includes('.') && text.includes('+')) return null;
  return decodeB64(text.replace(/\./g, '+'));
}
