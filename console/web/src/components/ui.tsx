import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  testId?: string;
  /** Closing with Escape or the × button (a required answer sets false). */
  dismissable?: boolean;
}

/** Dialog is a modal <dialog>: focus stays inside, Escape closes it. Render it only while open. */
export function Dialog({ title, onClose, children, footer, testId, dismissable = true }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      data-testid={testId}
      aria-labelledby={testId ? `${testId}-title` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (dismissable) onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={testId ? `${testId}-title` : undefined}>{title}</h2>
        {dismissable && (
          <button type="button" class="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        )}
      </header>
      <div class="dialog-body">{children}</div>
      {footer && <footer class="dialog-foot">{footer}</footer>}
    </dialog>
  );
}

interface PanelProps {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  onClose: () => void;
  children: ComponentChildren;
  testId?: string;
}

/** SidePanel shows details next to a view; Escape or × closes it. */
export function SidePanel({ title, subtitle, onClose, children, testId }: PanelProps) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [title]);
  return (
    <aside
      ref={ref}
      class="side-panel"
      data-testid={testId}
      tabIndex={-1}
      aria-label="Details"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header class="side-head">
        <div class="side-titles">
          <h2>{title}</h2>
          {subtitle && <div class="side-subtitle">{subtitle}</div>}
        </div>
        <button type="button" class="icon-btn" aria-label="Close details" data-testid="side-close" onClick={onClose}>
          ×
        </button>
      </header>
      <div class="side-body">{children}</div>
    </aside>
  );
}

export function ErrorBox({ message, testId = 'error' }: { message: string; testId?: string }) {
  return (
    <div class="error-box" role="alert" data-testid={testId}>
      <strong>Error</strong>
      <pre>{message}</pre>
    </div>
  );
}

export function Empty({ children, testId = 'empty' }: { children: ComponentChildren; testId?: string }) {
  return (
    <div class="empty" data-testid={testId}>
      {children}
    </div>
  );
}

export function Loading({ on }: { on: boolean }) {
  return <div class={on ? 'loading-bar on' : 'loading-bar'} role="progressbar" aria-hidden={!on} aria-label="Loading" />;
}

interface SelectProps<T extends string | number> {
  label: string;
  value: T;
  options: { value: T; name: string }[];
  onChange: (v: T) => void;
  testId?: string;
  hideLabel?: boolean;
}

/** Select is a labelled native select. */
export function Select<T extends string | number>({ label, value, options, onChange, testId, hideLabel }: SelectProps<T>) {
  return (
    <label class={hideLabel ? 'field field-bare' : 'field'}>
      <span class={hideLabel ? 'sr-only' : 'field-label'}>{label}</span>
      <select
        data-testid={testId}
        value={String(value)}
        onChange={(e) => {
          const raw = (e.currentTarget as HTMLSelectElement).value;
          const opt = options.find((o) => String(o.value) === raw);
          if (opt) onChange(opt.value);
        }}
      >
        {options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
