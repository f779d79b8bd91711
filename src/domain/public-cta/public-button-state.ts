// Whether visitors of an advisor's public profile see the "chat on WhatsApp" button, and if not,
// why. One rule for the public routes (which answer 404 for every reason alike) and for the
// advisor's own config view (which says which reason, so the dashboard can explain it).
import type { AdvisorSettings } from '../instances/advisor-settings.js';
import type { Features } from '../instances/features.js';

export type PublicButtonHiddenReason = 'no_number' | 'feature_disabled' | 'cta_disabled';

export interface PublicButtonState {
  visible: boolean;
  hiddenReason: PublicButtonHiddenReason | null;
}

export function publicButtonState(advisor: {
  phoneNumber: string | null;
  features: Features;
  settings: Pick<AdvisorSettings, 'ctaEnabled'>;
}): PublicButtonState {
  const hiddenReason: PublicButtonHiddenReason | null = !advisor.phoneNumber
    ? 'no_number'
    : !advisor.features.publicCta
      ? 'feature_disabled'
      : !advisor.settings.ctaEnabled
        ? 'cta_disabled'
        : null;
  return { visible: hiddenReason === null, hiddenReason };
}
