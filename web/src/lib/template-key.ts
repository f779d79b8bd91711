/** A template's key from its name: "Bono de bienvenida" → "bono_de_bienvenida" (snake_case, ≤ 64). */
export function keyFromName(name: string): string {
  const base = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  if (!base) return 'plantilla';
  return /^[a-z]/.test(base) ? base : `t_${base}`.slice(0, 64);
}
