/** Small pieces every page uses: an error line, a status badge, a list table, a submit hook. */
import { type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type FieldIssue } from './api';

/** An error shown to the user (nothing when there is none). */
export function ErrorLine({ error }: { error?: string | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

/** A deployment's or attempt's status, styled by its value. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

/** Props of {@link ListTable}. */
export interface ListTableProps {
  label: string;
  columns: readonly string[];
  /** The rows: `<tr>` elements. */
  children: ComponentChildren;
  /** When given, a full-width row with this text is added (the caller decides when the list is empty). */
  empty?: string | undefined;
}

/** A `table.list` with one header row of column names. */
export function ListTable({ label, columns, children, empty }: ListTableProps) {
  return (
    <table class="list" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {children}
        {empty !== undefined && (
          <tr>
            <td colSpan={columns.length} class="empty">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** A failed request as field issues: the api's details, or one form-level issue. */
export function issuesOf(err: unknown): FieldIssue[] {
  return err instanceof ApiError && err.details.length > 0
    ? err.details
    : [{ path: '', message: err instanceof Error ? err.message : String(err) }];
}

/**
 * A form submit: unless `blocked()`, runs `send` with `busy` set, handing a failure's issues to
 * `failed`.
 */
export function useSubmit(
  send: () => Promise<void>,
  failed: (issues: FieldIssue[]) => void,
  blocked: () => boolean,
): { busy: boolean; submit: (e: Event) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (blocked()) return;
    setBusy(true);
    try {
      await send();
    } catch (err) {
      failed(issuesOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}
