import { useTranslation } from 'react-i18next';
import { useUi } from '../state/store.ts';

export function TypingIndicator({ channelId }: { channelId: string }) {
  const { t } = useTranslation();
  const typing = useUi((s) => s.typing[channelId]);
  const users = useUi((s) => s.users);
  const names = Object.keys(typing ?? {}).map(
    (id) => users.get(id)?.displayName ?? t('messages.unknownAuthor'),
  );
  let text = '';
  if (names.length === 1) text = t('typing.one', { name: names[0] });
  else if (names.length === 2) text = t('typing.two', { a: names[0], b: names[1] });
  else if (names.length > 2) text = t('typing.many');
  return (
    <div className="typing" data-testid="typing">
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </>
      )}
    </div>
  );
}
