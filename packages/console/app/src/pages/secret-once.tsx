/**
 * A secret the api returns once (a new API key, a roles token): shown here and nowhere else,
 * with a copy button and a warning. It lives only in the component's state: leaving the page or
 * pressing Done forgets it, and it never reaches a URL or storage.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

/** Props of {@link SecretOnce}. */
export interface SecretOnceProps {
  /** What the secret is, e.g. `API key k12…`. */
  label: string;
  secret: string;
  onDone: () => void;
}

/** The once-only secret panel; focus moves to it so a keyboard user lands on the copy button. */
export function SecretOnce({ label, secret, onDone }: SecretOnceProps) {
  const [copied, setCopied] = useState<string>();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied.');
    } catch {
      setCopied('The browser refused the clipboard: select the text and copy it.');
    }
  };
  return (
    <div class="secret-once" role="region" aria-label="New secret" tabIndex={-1} ref={panel}>
      <p class="warning" role="alert">
        {label}: this is the only time it is shown. Copy it now; the api keeps only its hash.
      </p>
      <code class="secret" data-secret>
        {secret}
      </code>
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Done
        </button>
        {copied && <span role="status">{copied}</span>}
      </div>
    </div>
  );
}
