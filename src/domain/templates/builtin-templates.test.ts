import { describe, expect, it } from 'vitest';

import {
  BUILTIN_TEMPLATE_KEYS,
  BUILTIN_TEMPLATES,
  findBuiltinTemplate,
  isBuiltinTemplateKey,
  type BuiltinTemplateKey,
} from './builtin-templates.js';
import { optKeywordOf } from '../inbox/reply-keywords.js';
import { TEMPLATE_LANGUAGES } from './template-language.js';
import { parseTemplate } from './template-syntax.js';
import { validateTemplate } from './validate-template.js';

const EXPECTED: Record<BuiltinTemplateKey, { category: string; variables: string[] }> = {
  appointment_confirmation: {
    category: 'confirmation',
    variables: ['nombre_cliente', 'fecha_cita', 'hora_cita', 'nombre_asesor'],
  },
  appointment_reminder: {
    category: 'reminder',
    variables: ['nombre_cliente', 'fecha_cita', 'hora_cita', 'direccion'],
  },
  appointment_rescheduled: {
    category: 'confirmation',
    variables: ['nombre_cliente', 'fecha_cita', 'hora_cita'],
  },
  follow_up: {
    category: 'follow_up',
    variables: ['nombre_cliente', 'nombre_asesor', 'mensaje_personalizado'],
  },
  custom: { category: 'custom', variables: ['nombre_cliente', 'mensaje_personalizado'] },
};

// The opt-out line of each language, with the word it tells the client to send.
const OPT_OUT = { es: /responde (BAJA)\./, en: /Reply (STOP) to/, pt: /responda (SAIR)\./ };

describe('built-in templates', () => {
  it('has every key in every language, exactly once', () => {
    const pairs = BUILTIN_TEMPLATES.map((t) => `${t.key}/${t.language}`);
    const expected = BUILTIN_TEMPLATE_KEYS.flatMap((key) =>
      TEMPLATE_LANGUAGES.map((language) => `${key}/${language}`),
    );
    expect(pairs.sort()).toEqual(expected.sort());
  });

  describe.each(BUILTIN_TEMPLATES.map((t) => [`${t.key}/${t.language}`, t] as const))(
    '%s',
    (_label, template) => {
      const expected = EXPECTED[template.key];

      it('has the documented category and uses exactly the documented variables', () => {
        expect(template.category).toBe(expected.category);
        expect([...parseTemplate(template.body).variables].sort()).toEqual([...expected.variables].sort());
      });

      it('passes validation for its category', () => {
        expect(validateTemplate(template.body, { category: template.category })).toMatchObject({ ok: true });
      });

      it('has a name and a short body', () => {
        expect(template.name.trim()).not.toBe('');
        expect(template.body.length).toBeLessThan(400);
      });

      it('offers the opt-out only in messages the client did not ask for', () => {
        const optOut = OPT_OUT[template.language];
        const unsolicited = template.key === 'appointment_reminder' || template.key === 'follow_up';
        expect(optOut.test(template.body)).toBe(unsolicited);
      });

      it('offers an opt-out word that the webhook honours', () => {
        const word = OPT_OUT[template.language].exec(template.body)?.[1];
        if (word !== undefined) expect(optKeywordOf(word)).toBe('opt_out');
      });
    },
  );

  // A "2" only tells the advisor (clientResponse `cancel_requested`): nothing is cancelled and no
  // answer goes back, so the text must not promise a cancellation.
  it.each([
    ['es', /Responde 1 para confirmar/, /responde 2 y me pondré en contacto contigo/, /2 para cancelar/],
    ['en', /Reply 1 to confirm/, /reply 2 and I'll get in touch with you/, /2 to cancel/],
    ['pt', /Responda 1 para confirmar/, /responda 2 e eu entro em contato com você/, /2 para cancelar/],
  ] as const)(
    'the %s reminder asks for 1 or 2 and promises only that the advisor gets in touch',
    (language, confirm, getInTouch, promisesCancel) => {
      const body = findBuiltinTemplate('appointment_reminder', language).body;
      expect(body).toMatch(confirm);
      expect(body).toMatch(getInTouch);
      expect(body).not.toMatch(promisesCancel);
    },
  );
});

describe('findBuiltinTemplate', () => {
  it('returns the template of that key and language', () => {
    expect(findBuiltinTemplate('follow_up', 'en')).toMatchObject({
      key: 'follow_up',
      language: 'en',
      name: 'Follow-up',
    });
  });
});

describe('isBuiltinTemplateKey', () => {
  it('knows the built-in keys and nothing else', () => {
    expect(isBuiltinTemplateKey('appointment_rescheduled')).toBe(true);
    expect(isBuiltinTemplateKey('appointment')).toBe(false);
    expect(isBuiltinTemplateKey('toString')).toBe(false);
  });
});
