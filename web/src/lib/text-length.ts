// A text's length as the server counts it for its bounds: characters, that is code points, so an
// emoji is one (the zod checks of src/api/schemas/ and the settings rules count this way). HTML's
// maxLength and JavaScript's `length` count UTF-16 units, an emoji two: a box held by maxLength
// cut an emoji-heavy text at half of what the server takes, without a word. A box bounded this way
// therefore lets the typing through and says when the text is too long, and its form sends nothing.

/** How many characters (code points) `text` has. */
export function characterCount(text: string): number {
  return [...text].length;
}

/** Whether `text`, trimmed as the server trims it before counting, has more than `max` characters. */
export function tooLong(text: string, max: number): boolean {
  const trimmed = text.trim();
  // A character is one or two units: within `max` units it is within `max` characters.
  return trimmed.length > max && characterCount(trimmed) > max;
}
