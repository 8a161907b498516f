// qrcode ships no types (and @types/qrcode is not installed): the one call Warren makes.
declare module 'qrcode' {
  // biome-ignore lint/suspicious/noShadowRestrictedNames: the module's own export is named toString
  export function toString(text: string, options: { type: 'svg'; margin?: number; errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' }): Promise<string>;
}
