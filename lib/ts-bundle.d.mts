/** `node <args>` for a TypeScript entry point, from a bundle kept fresh beside it (ts-bundle.mjs). */
export declare function nodeArgsFor(entry: string): string[];
