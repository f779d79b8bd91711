// The emulator's fault dice. Math.random by default; with a seed (option `randomSeed`) the same
// run rolls the same faults and shuffles webhooks the same way, so a test of them is repeatable.

/** mulberry32: tiny, fast, good enough to pick faults; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
