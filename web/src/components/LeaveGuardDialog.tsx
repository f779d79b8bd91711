// The question a screen with unsaved work asks before the advisor leaves it (useLeaveGuard).
import type { MessageKey } from '../i18n/es';
import { useI18n } from '../i18n/i18n-context';
import type { LeaveGuard } from '../lib/use-leave-guard';
import { ConfirmDialog } from './ConfirmDialog';

export function LeaveGuardDialog({
  guard,
  title = 'leave.title',
  text,
  confirm = 'leave.confirm',
}: {
  guard: LeaveGuard;
  title?: MessageKey;
  /** What would be lost, in the screen's words. */
  text: MessageKey;
  confirm?: MessageKey;
}) {
  const { t } = useI18n();
  return (
    <ConfirmDialog
      open={guard.asking}
      title={t(title)}
      confirmLabel={t(confirm)}
      danger
      onConfirm={async () => guard.leave()}
      onClose={guard.stay}
    >
      <p>{t(text)}</p>
    </ConfirmDialog>
  );
}
