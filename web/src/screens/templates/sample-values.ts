import type { Translate } from '../../i18n/i18n-context';

/** Plausible values for the built-in variables, so a preview reads like a real message. */
export function sampleValues(t: Translate, advisorName: string): Record<string, string> {
  return {
    nombre_cliente: t('sample.clientName'),
    fecha_cita: t('sample.date'),
    hora_cita: t('sample.time'),
    nombre_asesor: advisorName,
    direccion: t('sample.address'),
    mensaje_personalizado: t('sample.personal'),
  };
}
