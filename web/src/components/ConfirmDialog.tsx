import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that closes without acting; "Cancelar" by default, which misleads when the action is itself a cancel. */
  dismissLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * Asks before an action that cannot be undone; stays open while it runs (it cannot be dismissed
 * then) and shows the error if it fails.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  dismissLabel,
  danger,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={close}
      dismissible={!busy}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={close} disabled={busy} data-autofocus>
            {dismissLabel ?? t('common.cancel')}
          </button>
          <button
            type="button"
            className={danger ? 'btn btn-danger' : 'btn btn-primary'}
            onClick={confirm}
            disabled={busy}
          >
            {busy ? t('common.working') : confirmLabel}
          </button>
        </>
      }
    >
      <div className="stack">
        {children}
        {error !== null && <ErrorNotice error={error} />}
      </div>
    </Dialog>
  );
}
