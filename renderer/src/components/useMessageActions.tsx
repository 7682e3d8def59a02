// What a person can do to the messages of a list — edit, delete (after asking), retry or discard a
// failed send, react — for the channel's list and a thread's alike, with the dialogs that go with
// them (the delete confirmation, the emoji picker).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { displayKey } from '@switchboard/client/browser';
import { errorText } from '../format.ts';
import type { DisplayMessage } from '../session/types.ts';
import { useStore, useUi } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { EmojiPicker } from './EmojiPicker.tsx';

/** Beyond editing and delivery: reactions and threads, and whether the list takes any change. */
export interface MessageExtras {
  /** The channel is archived: no reactions, replies, edits or deletes. */
  readOnly: boolean;
  nameOf(userId: string): string;
  onReact(message: DisplayMessage, emoji: string, reacted: boolean): void;
  onPickReaction(message: DisplayMessage): void;
  /** Absent inside a thread, which is already open. */
  onOpenThread?(message: DisplayMessage): void;
}

/** What a message list and its rows are handed, the same for the channel's list and a thread's. */
export interface MessageHandlers {
  onEdit(message: DisplayMessage | null): void;
  onSaveEdit(message: DisplayMessage, text: string): Promise<void>;
  onDelete(message: DisplayMessage): void;
  onRetry(message: DisplayMessage): void;
  onDiscard(message: DisplayMessage): void;
  extras: MessageExtras;
}

export interface MessageActions {
  editingKey: string | null;
  handlers: MessageHandlers;
  /** The dialogs these actions open, to render beside the list. */
  dialogs: ReactNode;
}

export function useMessageActions(options: {
  readOnly: boolean;
  onError(text: string): void;
  /** After an edit ends: where focus goes back to. */
  afterEdit(): void;
  onOpenThread?(message: DisplayMessage): void;
}): MessageActions {
  const { readOnly, onError, afterEdit, onOpenThread } = options;
  const { t } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const users = useUi((s) => s.users);
  const [editingKey, setEditingKey] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<DisplayMessage | null>(null);
  const [picking, setPicking] = useState<DisplayMessage | null>(null);
  const failed = useCallback((err: unknown) => onError(errorText(err, t)), [onError, t]);

  const onEdit = useCallback(
    (message: DisplayMessage | null) => {
      setEditingKey(message ? displayKey(message) : null);
      if (!message) afterEdit();
    },
    [afterEdit],
  );
  const onSaveEdit = useCallback(
    async (message: DisplayMessage, text: string) => {
      await store.client.request('edit', { messageId: message.id, text });
      setEditingKey(null);
      afterEdit();
    },
    [store, afterEdit],
  );
  const onRetry = useCallback(
    (message: DisplayMessage) =>
      void store.client.request('retrySend', { clientId: message.clientId }).catch(failed),
    [store, failed],
  );
  const onDiscard = useCallback(
    (message: DisplayMessage) =>
      void store.client.request('discardSend', { clientId: message.clientId }).catch(failed),
    [store, failed],
  );
  const onReact = useCallback(
    (message: DisplayMessage, emoji: string, reacted: boolean) =>
      void store.client.request('setReaction', { messageId: message.id, emoji, reacted }).catch(failed),
    [store, failed],
  );
  const nameOf = useCallback(
    (userId: string) => users.get(userId)?.displayName ?? t('messages.unknownAuthor'),
    [users, t],
  );
  const extras = useMemo<MessageExtras>(
    () => ({ readOnly, nameOf, onReact, onPickReaction: setPicking, onOpenThread }),
    [readOnly, nameOf, onReact, onOpenThread],
  );

  const confirmDelete = async () => {
    if (!deleting) return;
    const target = deleting;
    setDeleting(null);
    try {
      await store.client.request('delete', { messageId: target.id });
    } catch (err) {
      failed(err);
    }
  };

  const dialogs = (
    <>
      {deleting && (
        <Dialog
          title={t('messages.deleteTitle')}
          description={t('messages.deleteBody')}
          onClose={() => setDeleting(null)}
        >
          <blockquote className="quote">{deleting.text}</blockquote>
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setDeleting(null)} data-autofocus>
              {t('common.cancel')}
            </button>
            <button type="button" className="button danger" onClick={() => void confirmDelete()}>
              {t('messages.delete')}
            </button>
          </div>
        </Dialog>
      )}
      {picking && (
        <EmojiPicker
          userId={me.id}
          onClose={() => setPicking(null)}
          onPick={(emoji) => {
            setPicking(null);
            onReact(picking, emoji, true);
          }}
        />
      )}
    </>
  );

  const handlers = useMemo<MessageHandlers>(
    () => ({ onEdit, onSaveEdit, onDelete: setDeleting, onRetry, onDiscard, extras }),
    [onEdit, onSaveEdit, onRetry, onDiscard, extras],
  );
  return { editingKey, handlers, dialogs };
}
