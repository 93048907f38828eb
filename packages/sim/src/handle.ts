import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** A phone-like handle: digits and `+()-. ` only (imsg's test for "not a contact name"). */
export function looksLikePhone(value: string): boolean {
  return /^[+\d\s().-]+$/.test(value) && /\d/.test(value);
}

/**
 * Normalises a handle as Messages stores it: phones to E.164 in `region` (falling back to the raw
 * input when the number does not parse), emails lower-cased, anything else verbatim.
 */
export function normalizeHandle(raw: string, region = 'US'): string {
  const value = raw.trim();
  if (looksLikePhone(value)) {
    const phone = parsePhoneNumberFromString(value, region.toUpperCase() as CountryCode);
    return phone?.isPossible() ? phone.number : value;
  }
  return value.includes('@') ? value.toLowerCase() : value;
}

/** The key two spellings of one handle share (case-insensitive, phones in E.164). */
export function handleKey(raw: string): string {
  return normalizeHandle(raw).toLowerCase();
}
