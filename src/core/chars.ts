// Character classes for the hand-written scanners of the grammar (ASCII word characters, like `\b`).

/** Whitespace as JavaScript's `\s` sees it, without a regex per character. */
export function isSpace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  if (code < 128) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

export const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;
export const isUpperCode = (code: number): boolean => code >= 65 && code <= 90;
export const isLetterCode = (code: number): boolean => isUpperCode(code) || (code >= 97 && code <= 122);

/** `\w`: the characters a word boundary is about. */
export function isWordCode(code: number): boolean {
  return isLetterCode(code) || isDigitCode(code) || code === 95;
}
