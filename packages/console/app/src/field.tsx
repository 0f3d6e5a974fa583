/** A labelled form field whose error is tied to it (aria-invalid + aria-describedby). */
import { type ComponentChildren } from 'preact';

/** Props of {@link Field}. */
export interface FieldProps {
  id: string;
  label: string;
  value: string;
  error?: string;
  type?: 'text' | 'number';
  hint?: string;
  onInput: (value: string) => void;
  children?: ComponentChildren;
}

/** An input, or the select given as children, with its label and error. */
export function Field({ id, label, value, error, type = 'text', hint, onInput, children }: FieldProps) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children ?? (
        <input
          id={id}
          name={id}
          // Two literal types: preact's input typing narrows its props by the `type` literal.
          {...(type === 'number' ? { type: 'number' as const } : { type: 'text' as const })}
          value={value}
          aria-invalid={error !== undefined}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
      {hint && !error && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error" data-field-error={id}>
          {error}
        </small>
      )}
    </div>
  );
}
