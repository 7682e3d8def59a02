// Form pieces shared by the sign-in, setup, register, password and channel forms, so every field is
// labelled and described the same way.
import type { InputHTMLAttributes, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH } from '@switchboard/protocol';
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

/** The password someone already has (to sign in, or to confirm a change): the browser may fill it in. */
export function CurrentPasswordField(
  props: Pick<TextFieldProps, 'id' | 'label' | 'value' | 'onValueChange'>,
) {
  return <TextField {...props} type="password" autoComplete="current-password" />;
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

/** The labels of a password that replaces another (a reset link, a password change). */
const REPLACING_LABELS = { password: 'profile.newPassword', confirm: 'profile.confirmPassword' };

/**
 * A new password and its confirmation (first admin, registration, a reset link, a password change).
 * `labels` are translation keys; left out, those of a password that replaces another.
 */
export function NewPasswordFields({
  idPrefix,
  labels = REPLACING_LABELS,
  password,
  confirm,
  onPassword,
  onConfirm,
  autoFocus,
}: {
  idPrefix: string;
  labels?: { password: string; confirm: string };
  password: string;
  confirm: string;
  onPassword(value: string): void;
  onConfirm(value: string): void;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        id={`${idPrefix}-password`}
        label={t(labels.password)}
        hint={t('setup.passwordHint', { count: MIN_PASSWORD_LENGTH })}
        type="password"
        autoComplete="new-password"
        value={password}
        onValueChange={onPassword}
        autoFocus={autoFocus}
      />
      <TextField
        id={`${idPrefix}-confirm`}
        label={t(labels.confirm)}
        type="password"
        autoComplete="new-password"
        value={confirm}
        onValueChange={onConfirm}
      />
    </>
  );
}

/** The first rule a new password and its confirmation break, as a message key; null when none. */
export function newPasswordProblem(password: string, confirm: string) {
  if (password.length < MIN_PASSWORD_LENGTH) return 'setup.passwordShort';
  if (password !== confirm) return 'setup.passwordsDiffer';
  return null;
}

/** A form's Cancel and submit buttons, submit last (the primary action). */
export function FormActions({
  submit,
  onCancel,
  busy,
}: {
  submit: string;
  onCancel(): void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="form-actions">
      <button type="button" className="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="submit" className="button primary" disabled={busy}>
        {submit}
      </button>
    </div>
  );
}
