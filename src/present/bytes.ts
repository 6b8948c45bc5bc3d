// Sizes as people read them: 24 GiB, 512 MiB.

export function formatBytes(n: number | undefined | null): string {
  if (!n) return '';
  const gib = n / 1024 ** 3;
  return gib >= 1 ? `${Math.round(gib)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}
