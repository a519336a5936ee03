const SUFFIXES: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Bytes of a resource.Quantity such as `1Gi`, `500M` or `1e9`; undefined when unparsable. */
export function quantityBytes(text: string | number | undefined): number | undefined {
  if (typeof text === 'number') return text;
  const match = /^(\d+(?:\.\d+)?)(?:e(\d+))?([kMGTPE]i?)?$/.exec(text?.trim() ?? '');
  if (!match || (match[3] && !(match[3] in SUFFIXES))) return undefined;
  return Math.ceil(Number(match[1]) * 10 ** Number(match[2] ?? 0) * SUFFIXES[match[3] ?? '']);
}

/** A byte count as resource.NewQuantity(n, BinarySI) serialises it: the largest exact binary suffix. */
export function binaryQuantity(bytes: number): string {
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    if (bytes > 0 && bytes % SUFFIXES[suffix] === 0) return `${bytes / SUFFIXES[suffix]}${suffix}`;
  }
  return String(bytes);
}
