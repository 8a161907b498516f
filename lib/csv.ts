/**
 * One CSV cell (RFC 4180 quoting) that a spreadsheet will not run: text starting with = + - @
 * or a tab/CR is a formula to Excel and Sheets (OWASP "CSV injection"), so it gets a leading
 * apostrophe, which they show as text. Used for every value a user or an agent chose.
 */
export function csvCell(raw: string | number | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'number') return String(raw);
  const v = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r']/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export const csvLine = (cells: Array<string | number | null | undefined>) => `${cells.map(csvCell).join(',')}\n`;
