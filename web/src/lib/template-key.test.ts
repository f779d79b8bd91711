import { describe, expect, it } from 'vitest';
import { keyFromName } from './template-key';
import { BUILTIN_TEMPLATE_KEYS } from '../../../src/domain/templates/builtin-templates';

const SNAKE_CASE = /^[a-z][a-z0-9_]{0,63}$/;

describe('keyFromName', () => {
  it('makes snake_case from a Latin name, accents dropped', () => {
    expect(keyFromName('Bono de bienvenida')).toBe('bono_de_bienvenida');
    expect(keyFromName('Revisión ñandú')).toBe('revision_nandu');
    expect(keyFromName('2 semanas')).toBe('t_2_semanas');
    expect(keyFromName('Recordatorio 🌿')).toBe('recordatorio');
  });

  it('gives names in other scripts keys of their own (they all became "plantilla": a 409 on the second)', () => {
    const names = ['Напоминание', 'Спасибо', 'תזכורת', 'تذكير', '提醒', '感谢', '🌿', '✨'];
    const keys = names.map(keyFromName);
    expect(new Set(keys).size).toBe(names.length);
    for (const key of keys) expect(key).toMatch(SNAKE_CASE);
    // The same name always gives the same key.
    expect(keyFromName('Напоминание')).toBe(keys[0]);
  });

  it('tells apart names whose Latin part is the same', () => {
    expect(keyFromName('Cita 予約')).not.toBe(keyFromName('Cita 確認'));
    expect(keyFromName('Cita 予約')).toMatch(/^cita_[a-z0-9]+$/);
  });

  // The server keeps built-in keys for the built-ins (POST without overridesBuiltIn is 422 on
  // `key`): a new template named "Follow-up" or "Custom" could not be saved, and the editor showed
  // the API's sentence about PUT and overridesBuiltIn under its name.
  it("never gives a built-in template's key to a new template", () => {
    const names = [
      'Follow up',
      'Follow-up',
      'Custom',
      'Appointment reminder',
      'Appointment confirmation',
      'Appointment rescheduled',
    ];
    // The server's own list: a built-in added there and not to this module's copy fails here.
    const builtIn: readonly string[] = BUILTIN_TEMPLATE_KEYS;
    const keys = [...names, ...builtIn].map(keyFromName);
    for (const key of keys) {
      expect(builtIn).not.toContain(key);
      expect(key).toMatch(SNAKE_CASE);
    }
    expect(keys[0]).toMatch(/^follow_up_[a-z0-9]+$/);
    // Two names that fold to the same built-in key still get keys of their own.
    expect(keys[0]).not.toBe(keys[1]);
    expect(keyFromName('Follow up')).toBe(keys[0]);
  });

  it('stays within 64 characters', () => {
    for (const name of ['a'.repeat(100), `${'b'.repeat(80)} 予約`, '予'.repeat(80)])
      expect(keyFromName(name)).toMatch(SNAKE_CASE);
  });
});
