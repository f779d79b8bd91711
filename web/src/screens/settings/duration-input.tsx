// A duration edited as a number and a unit (minutes, hours, days), stored in minutes.
import { useState } from 'react';
import type { FieldIds } from '../../components/Field';
import { useI18n } from '../../i18n/i18n-context';

type Unit = 'minutes' | 'hours' | 'days';
const FACTOR: Record<Unit, number> = { minutes: 1, hours: 60, days: 1440 };

function bestUnit(minutes: number): Unit {
  if (minutes > 0 && minutes % 1440 === 0) return 'days';
  if (minutes > 0 && minutes % 60 === 0) return 'hours';
  return 'minutes';
}

export function DurationInput({
  ids,
  minutes,
  onChange,
}: {
  ids: FieldIds;
  minutes: number;
  onChange: (minutes: number) => void;
}) {
  const { t } = useI18n();
  const [unit, setUnit] = useState<Unit>(() => bestUnit(minutes));
  const amount = minutes / FACTOR[unit];
  return (
    <div className="duration">
      <input
        {...ids}
        type="number"
        min={0}
        step={1}
        value={Number.isInteger(amount) ? amount : amount.toFixed(2)}
        onChange={(e) => onChange(Math.round(Number(e.target.value) * FACTOR[unit]))}
      />
      <select aria-label={t('settings.unit')} value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
        {(['minutes', 'hours', 'days'] as const).map((u) => (
          <option key={u} value={u}>
            {t(`settings.unit.${u}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
