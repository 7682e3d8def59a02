// A message's reactions: one chip per emoji with its count, pressed when it includes the reader;
// clicking toggles the reader's own. Who reacted shows on hover and on keyboard focus.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Reaction } from '@switchboard/protocol';
import { Icon } from './Icon.tsx';

interface ReactionsProps {
  /** At least one: a row without reactions leaves this out (one component less to mount per row). */
  reactions: readonly Reaction[];
  selfId: string;
  nameOf(userId: string): string;
  /** Absent when the reader cannot react (archived channel). */
  onToggle?(emoji: string, reacted: boolean): void;
  onAdd?(): void;
}

export function Reactions({ reactions, selfId, nameOf, onToggle, onAdd }: ReactionsProps) {
  const { t } = useTranslation();
  return (
    <div className="reactions" role="group" aria-label={t('reactions.label')}>
      {reactions.map((reaction) => (
        <ReactionChip
          key={reaction.emoji}
          reaction={reaction}
          mine={reaction.userIds.includes(selfId)}
          who={who(reaction, selfId, nameOf, t)}
          onToggle={onToggle}
        />
      ))}
      {onAdd && (
        <button
          type="button"
          className="reaction reaction-add"
          aria-label={t('reactions.add')}
          title={t('reactions.add')}
          onClick={onAdd}
        >
          <Icon name="smile" size={16} />
        </button>
      )}
    </div>
  );
}

function ReactionChip({
  reaction,
  mine,
  who,
  onToggle,
}: {
  reaction: Reaction;
  mine: boolean;
  who: string;
  onToggle: ReactionsProps['onToggle'];
}) {
  const { t } = useTranslation();
  const tipId = useId();
  return (
    <span className="reaction-wrap">
      <button
        type="button"
        className={`reaction${mine ? ' mine' : ''}`}
        aria-pressed={mine}
        aria-label={t('reactions.chip', { emoji: reaction.emoji, count: reaction.count })}
        aria-describedby={tipId}
        disabled={!onToggle}
        onClick={() => onToggle?.(reaction.emoji, !mine)}
      >
        <span aria-hidden="true">{reaction.emoji}</span>
        <span className="reaction-count" aria-hidden="true">
          {reaction.count}
        </span>
      </button>
      <span id={tipId} role="tooltip" className="reaction-tip">
        {who}
      </span>
    </span>
  );
}

/** "Alice, Bob and 3 others reacted with 🎉", with the reader as "You". */
function who(
  reaction: Reaction,
  selfId: string,
  nameOf: (userId: string) => string,
  t: ReturnType<typeof useTranslation>['t'],
): string {
  const names = reaction.userIds.map((id) => (id === selfId ? t('reactions.you') : nameOf(id)));
  const others = reaction.count - names.length;
  const list =
    others > 0 ? t('reactions.andOthers', { names: names.join(', '), count: others }) : names.join(', ');
  return t('reactions.who', { names: list, emoji: reaction.emoji });
}
