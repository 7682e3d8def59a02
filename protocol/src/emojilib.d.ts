// emojilib 2 ships no types: the shape of its data, as this package reads it.
declare module 'emojilib' {
  interface EmojilibEntry {
    keywords: string[];
    char: string;
    fitzpatrick_scale: boolean;
    category: string;
  }
  const emojilib: {
    lib: Record<string, EmojilibEntry>;
    /** Every name of `lib`, in the order people expect to browse them. */
    ordered: string[];
  };
  export default emojilib;
}
