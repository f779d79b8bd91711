// How the advisor's messages perform over a period: delivery and read rates, response times,
// clicks on the public WhatsApp button, messages per day, template usage and the connection's
// history.
import { useEffect, useState } from 'react';
import { PageHeader } from '../../components/AppShell';
import { BarChart } from '../../components/BarChart';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LineChart } from '../../components/LineChart';
import { LoadingState } from '../../components/LoadingState';
import { RateRing } from '../../components/RateRing';
import { useI18n } from '../../i18n/i18n-context';
import { useAdvisorZone } from '../../lib/advisor-zone';
import { withQuery } from '../../lib/api-client';
import type { Metrics, MetricsRange } from '../../lib/api-types';
import { formatDate, formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { templateLabel } from '../../lib/template-label';
import { useResource } from '../../lib/use-resource';
import { ConnectionTimeline } from './connection-timeline';
import { everyDay, metricsRange } from './metrics-range';

const PERIODS = [7, 30, 90] as const;

export function AnalyticsScreen() {
  const { t, locale } = useI18n();
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const { timeZone } = useAdvisorZone();
  const [range, setRange] = useState(() => metricsRange(30, timeZone));
  // The zone arrives with the advisor's settings: the period follows it.
  useEffect(() => setRange(metricsRange(days, timeZone)), [timeZone]);
  const metrics = useResource<Metrics>(withQuery('/api/whatsapp/metrics', range));
  const pick = (d: (typeof PERIODS)[number]) => {
    setDays(d);
    setRange(metricsRange(d, timeZone));
  };
  const m = metrics.data;
  const delivery: MetricsRange | undefined = m?.responseTime.sentToDelivered;
  const reply: MetricsRange | undefined = m?.responseTime.outboundToReply;
  const counted = m?.messagesPerDay ?? [];
  // Every day of the period, so a quiet day shows as a zero in its place rather than vanishing.
  const perDay = (counted.length ? everyDay(counted, range.since, range.until, timeZone) : []).map((d) => ({
    label: formatDate(`${d.day}T12:00:00`, locale, { day: 'numeric', month: 'short' }),
    values: { sent: d.sent, delivered: d.delivered, read: d.read, failed: d.failed, inbound: d.inbound },
  }));

  return (
    <>
      <PageHeader
        title={t('stats.title')}
        intro={t('stats.intro')}
        actions={
          <div className="segmented" role="group" aria-label={t('stats.period')}>
            {PERIODS.map((d) => (
              <button key={d} type="button" aria-pressed={days === d} onClick={() => pick(d)}>
                {t('stats.days', { days: d })}
              </button>
            ))}
          </div>
        }
      />
      {metrics.loading && !m ? (
        <LoadingState />
      ) : metrics.error ? (
        // Also with figures on screen: they are the previous period's, not the one now chosen.
        <ErrorNotice error={metrics.error} onRetry={metrics.reload} />
      ) : !m ? null : (
        <div className="stats">
          <section className="card stat-cards" aria-label={t('stats.rates')}>
            <RateRing
              rate={m.deliveryRate}
              value={formatPercent(m.deliveryRate, locale)}
              label={t('stats.deliveryRate')}
            />
            <RateRing
              rate={m.readRate}
              value={formatPercent(m.readRate, locale)}
              label={t('stats.readRate')}
              color="var(--read)"
            />
            <div className="stat">
              <p className="stat-value">{formatDuration(delivery?.median, locale)}</p>
              <p className="stat-label">{t('stats.deliveryTime')}</p>
              <p className="cell-sub">
                {delivery?.p90 == null
                  ? t('stats.noDeliveries')
                  : t('stats.p90', { value: formatDuration(delivery.p90, locale) })}
              </p>
            </div>
            <div className="stat">
              <p className="stat-value">{formatDuration(reply?.median, locale)}</p>
              <p className="stat-label">{t('stats.replyTime')}</p>
              <p className="cell-sub">
                {reply?.p90 == null
                  ? t('stats.noReplies')
                  : t('stats.p90', { value: formatDuration(reply.p90, locale) })}
              </p>
            </div>
            <div className="stat stat-row-start" data-testid="cta-clicks">
              <p className="stat-value">{formatNumber(m.ctaClicks, locale)}</p>
              <p className="stat-label">{t('stats.ctaClicks')}</p>
              <p className="cell-sub">{t('stats.ctaClicksHint')}</p>
            </div>
          </section>

          <section className="card stats-wide" aria-labelledby="per-day-title">
            <h2 id="per-day-title">{t('stats.perDay')}</h2>
            {perDay.length === 0 ? (
              <EmptyState icon="chart" title={t('stats.noData')} />
            ) : (
              <BarChart
                title={t('stats.perDay')}
                data={perDay}
                series={[
                  { key: 'sent', label: t('stats.sent'), color: 'var(--primary)' },
                  { key: 'inbound', label: t('stats.inbound'), color: 'var(--accent)' },
                ]}
              />
            )}
          </section>

          <section className="card stats-wide" aria-labelledby="outcome-title">
            <h2 id="outcome-title">{t('stats.outcome')}</h2>
            {perDay.length === 0 ? (
              <EmptyState icon="chart" title={t('stats.noData')} />
            ) : (
              <LineChart
                title={t('stats.outcome')}
                data={perDay}
                series={[
                  { key: 'delivered', label: t('stats.delivered'), color: 'var(--ok)' },
                  { key: 'read', label: t('stats.read'), color: 'var(--read)' },
                  { key: 'failed', label: t('stats.failed'), color: 'var(--danger)' },
                ]}
              />
            )}
          </section>

          <section className="card" aria-labelledby="usage-title">
            <h2 id="usage-title">{t('stats.templates')}</h2>
            {m.templateUsage.length === 0 ? (
              <p className="muted">{t('stats.noTemplates')}</p>
            ) : (
              <ul className="usage">
                {[...m.templateUsage]
                  .sort((a, b) => b.count - a.count)
                  .map((u) => {
                    const max = Math.max(1, ...m.templateUsage.map((x) => x.count));
                    return (
                      <li key={u.key}>
                        <span className="usage-name">
                          {templateLabel(u.key, t)}
                          {/* A count (advisors with their own version), so never render it bare: 0 would show. */}
                          {u.customized > 0 && (
                            <span className="chip chip-small">{t('stats.customized')}</span>
                          )}
                        </span>
                        <span className="usage-bar" aria-hidden="true">
                          <span style={{ width: `${(u.count / max) * 100}%` }} />
                        </span>
                        <span className="usage-count">{u.count}</span>
                      </li>
                    );
                  })}
              </ul>
            )}
          </section>

          <section className="card" aria-labelledby="conn-title">
            <h2 id="conn-title">{t('stats.connection')}</h2>
            {m.connectionHistory?.length || m.connectionAtStart ? (
              <ConnectionTimeline
                history={m.connectionHistory ?? []}
                atStart={m.connectionAtStart ?? null}
                since={range.since}
                until={range.until}
              />
            ) : (
              <p className="muted">{t('stats.noConnectionHistory')}</p>
            )}
          </section>
        </div>
      )}
    </>
  );
}
