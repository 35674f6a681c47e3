/**
 * Cutting bytes into chunks at arbitrary points, as a socket may deliver them: the property tests
 * of the stream decoders (watch lines, list scanner, JSON bodies) feed their input this way.
 */

/** Cuts `bytes` at the given points (any of them, in any order, wrapped to the length). */
export function cutAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...at, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}
