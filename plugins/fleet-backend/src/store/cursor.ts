import { InputError } from '@backstage/errors';

/**
 * Opaque page cursors: the sort position of the last item of a page, tagged with the list it
 * belongs to. A position rather than an offset, so that pages stay correct while the fleet
 * changes between requests.
 */
export function encodeCursor(list: string, position: string[]): string {
  return Buffer.from(JSON.stringify({ l: list, p: position })).toString('base64url');
}

export function decodeCursor(cursor: string, list: string): string[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const { l, p } = parsed as { l?: unknown; p?: unknown };
    if (l === list && Array.isArray(p) && p.length > 0 && p.every(x => typeof x === 'string')) {
      return p as string[];
    }
  } catch {
    // fall through: not one of ours
  }
  throw new InputError(`Invalid query: cursor: is not a cursor of the ${list} list`);
}
