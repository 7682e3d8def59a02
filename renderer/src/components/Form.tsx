// Form pieces shared by the sign-in, setup, register and channel dialogs, so every field is
// labelled and described the same way.
import type { InputHTMLAttributes, ReactNode } from 'react';
import { Icon } from './Icon.tsx';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>;

interface TextFieldProps extends InputProps {
  id: string;
  label: string;
  /** Shown under the input as `${id}-hint` and read with it. */
  hint?: string;
  value: string;
  onValueChange(value: string): void;
}

/** A labelled text input; extra props (type, autoComplete, aria-*) go to the input. */
export function TextField({ id, label, hint, value, onValueChange, ...input }: TextFieldProps) {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-describedby={hintId}
        {...input}
      />
      {hint !== undefined && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A search box whose label is for screen readers only; the placeholder says the same. */
export function SearchField({
  id,
  label,
  value,
  onValueChange,
}: {
  id: string;
  label: string;
  value: string;
  onValueChange(value: string): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <div className="input-icon">
        <Icon name="search" size={16} />
        <input
          id={id}
          type="search"
          placeholder={label}
          value={value}
          onChange={(e) => onValueChange(e.target.value)}
          data-autofocus
        />
      </div>
    </div>
  );
}

/** The form's error, announced as an alert; nothing while there is none. */
export function FormError({ error, id }: { error: string | null; id?: string }): ReactNode {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="form-error">
      {error}
    </p>
  );
}
