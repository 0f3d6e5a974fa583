/** A button that asks first, in a native modal dialog (focus-trapped, Escape cancels). */
import { type ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ErrorLine } from './ui';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The button's accessible name (e.g. `Revoke key k12`). */
  label: string;
  /** The button's visible text; default: the label's first word. */
  text?: string;
  /** The button's class; default `danger small`. */
  buttonClass?: string;
  disabled?: boolean;
  /** The dialog's title. */
  title: string;
  /** The confirming button's text. */
  confirm: string;
  /** The action; a failure is shown in the dialog, which stays open. */
  action: () => Promise<void>;
  children?: ComponentChildren;
}

/** A `danger` button opening a confirmation dialog. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const { label, title, confirm, action, children } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string>();
  const run = async () => {
    try {
      await action();
      setError(undefined);
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <button
        type="button"
        class={props.buttonClass ?? 'danger small'}
        aria-label={props.text === undefined ? label : undefined}
        disabled={props.disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {props.text ?? label.split(' ')[0]}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <h2>{title}</h2>
        {children}
        <ErrorLine error={error} />
        <div class="actions">
          <button type="button" class="danger" onClick={() => void run()}>
            {confirm}
          </button>
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
