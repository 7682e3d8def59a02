// The button that opens the Channels drawer on narrow screens (hidden on wide ones, where the
// navigation is always shown).
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon.tsx';
import { SIDEBAR_ID } from './Sidebar.tsx';

/** The drawer of conversations on narrow screens, as the channel header and the empty state offer it. */
export interface Drawer {
  open: boolean;
  show(button: HTMLButtonElement): void;
}

/** Opens the Channels drawer; shown on narrow screens only. */
export function MenuButton({ drawer }: { drawer: Drawer }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="icon-button menu-button"
      aria-label={t('app.showChannels')}
      title={t('app.showChannels')}
      aria-expanded={drawer.open}
      aria-controls={SIDEBAR_ID}
      onClick={(event) => drawer.show(event.currentTarget)}
    >
      <Icon name="menu" />
    </button>
  );
}
