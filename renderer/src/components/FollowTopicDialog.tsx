// "Follow a topic": a topic's name, checked as the server checks it; the server refuses topics the
// reader may not read, and says so here.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TopicName } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import { useStore } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { FormActions, FormError, TextField } from './Form.tsx';

export function FollowTopicDialog({
  onClose,
  onFollowed,
}: {
  onClose(): void;
  onFollowed(topic: string): void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const topic = name.trim().replace(/^\//, '');
    if (!TopicName.safeParse(topic).success) return setError(t('topics.nameInvalid'));
    setBusy(true);
    setError(null);
    try {
      await store.client.request('followTopic', { topic });
      onFollowed(topic);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      setError(code === 'forbidden' ? t('topics.forbidden', { topic }) : errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('topics.followTitle')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <TextField
          id="follow-topic-name"
          label={t('topics.name')}
          hint={t('topics.nameHint')}
          value={name}
          onValueChange={setName}
          maxLength={64}
          spellCheck={false}
          autoCapitalize="off"
          aria-invalid={error ? true : undefined}
          data-autofocus
        />
        <FormError error={error} />
        <FormActions submit={t('topics.submit')} onCancel={onClose} busy={busy} />
      </form>
    </Dialog>
  );
}
