// Line icons drawn for Switchboard; always decorative — the control around them carries the name.
const PATHS = {
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  hash: 'M10 4L8 20M16 4l-2 16M5 9h15M4 15h15',
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M6 11h12v9H6z',
  settings: 'M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4',
  signOut: 'M14 4h4a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-4M10 8l-4 4 4 4M6 12h10',
  send: 'M4 12l16-8-6 16-2.5-5.5z',
  search: 'M16 16l4 4M11 17a6 6 0 1 0 0-12 6 6 0 0 0 0 12z',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4',
  trash: 'M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13',
  retry: 'M19.5 12a7.5 7.5 0 1 1-2.2-5.3M19.5 4v4.5H15',
  list: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
  arrowDown: 'M12 5v14M6 13l6 6 6-6',
  leave: 'M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4M14 8l4 4-4 4M18 12H8',
  addPerson: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM3 21v-1a6 6 0 0 1 12 0v1M19 8v6M16 11h6',
  menu: 'M4 6h16M4 12h16M4 18h16',
  attach:
    'M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15 7',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  smile: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14.5a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01',
  reply: 'M10 7L5 12l5 5M5 12h9a5 5 0 0 1 5 5v1',
  threads: 'M4 5h16v10H9l-5 4zM8 9h8M8 12h5',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0',
  bellOff: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0M3 3l18 18',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v5M12 8h.01',
  archive: 'M4 5h16v4H4zM6 9v10h12V9M10 13h4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

/** A button showing only an icon: `label` is its accessible name and its tooltip. */
export function IconButton({
  icon,
  label,
  onClick,
  size,
  danger = false,
}: {
  icon: IconName;
  label: string;
  onClick(): void;
  size?: number;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      className={danger ? 'icon-button danger' : 'icon-button'}
      aria-label={label}
      title={label}
      onClick={onClick}
    >
      <Icon name={icon} size={size} />
    </button>
  );
}

/**
 * A button of a view's header (a channel's, a topic's): its label shows beside the icon where there
 * is room; on narrow screens only the icon does, and the label stays its name (.button-label).
 */
export function HeaderAction(props: { icon: IconName; label: string; pressed?: boolean; onClick(): void }) {
  return (
    <button
      type="button"
      className="button subtle small"
      title={props.label}
      aria-pressed={props.pressed}
      onClick={props.onClick}
    >
      <Icon name={props.icon} size={16} />
      <span className="button-label">{props.label}</span>
    </button>
  );
}
