// Per-advisor feature switches (the platform's feature flags): defaults come from the environment,
// an admin can override them per advisor, and routes and workers both respect them.
import { AppError } from '../app-error.js';

export const FEATURES = ['sending', 'reminders', 'inbox', 'publicCta'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Record<Feature, boolean>;

export function effectiveFeatures(defaults: Features, overrides: Record<string, boolean>): Features {
  const out = { ...defaults };
  for (const f of FEATURES) if (typeof overrides[f] === 'boolean') out[f] = overrides[f];
  return out;
}

export function assertFeature(features: Features, feature: Feature): void {
  if (!features[feature]) {
    throw new AppError('feature_disabled', `The "${feature}" feature is disabled for this account.`, {
      feature,
    });
  }
}

/**
 * What a message needs switched on to go out: `sending`, and `reminders` for an automated one.
 * The worker skips a message missing one; a retry is refused for the same rule.
 */
export function featuresNeededBy(message: { purpose: string }): Feature[] {
  return message.purpose === 'manual' ? ['sending'] : ['sending', 'reminders'];
}
