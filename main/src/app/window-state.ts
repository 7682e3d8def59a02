// Where the window goes: the size, position and maximised state it had last time, put back on a
// display that still exists. A window whose display is gone (a laptop undocked, a monitor
// unplugged) is moved to the primary display instead of opening somewhere nobody can see it.
import { z } from 'zod';

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_SIZE = { width: 1100, height: 760 };
export const MIN_SIZE = { width: 480, height: 360 };
/** At least this much of the window must be on a display for it to count as visible there. */
const VISIBLE_EDGE = { width: 120, height: 60 };

function overlap(a: Area, b: Area): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

function centreOn(area: Area, width: number, height: number): Area {
  const w = Math.min(width, area.width);
  const h = Math.min(height, area.height);
  return {
    x: area.x + Math.round((area.width - w) / 2),
    y: area.y + Math.round((area.height - h) / 2),
    width: w,
    height: h,
  };
}

/**
 * The bounds to open the window with. `displays` are the work areas of the displays connected now
 * (screen.getAllDisplays()), `primary` the primary one's.
 */
export function placeWindow(
  saved: WindowState | null,
  displays: readonly Area[],
  primary: Area,
): Area & { maximized: boolean } {
  if (!saved) return { ...centreOn(primary, DEFAULT_SIZE.width, DEFAULT_SIZE.height), maximized: false };
  const width = Math.max(saved.width, MIN_SIZE.width);
  const height = Math.max(saved.height, MIN_SIZE.height);
  const bounds = { x: saved.x, y: saved.y, width, height };
  const home = displays.find((display) => {
    const seen = overlap(bounds, display);
    return seen.width >= VISIBLE_EDGE.width && seen.height >= VISIBLE_EDGE.height;
  });
  if (!home) return { ...centreOn(primary, width, height), maximized: saved.maximized };
  // On a display, but perhaps larger than it is now (a smaller resolution): fit it.
  const fitted = { ...bounds, width: Math.min(width, home.width), height: Math.min(height, home.height) };
  fitted.x = Math.min(Math.max(fitted.x, home.x), home.x + home.width - fitted.width);
  fitted.y = Math.min(Math.max(fitted.y, home.y), home.y + home.height - fitted.height);
  return { ...fitted, maximized: saved.maximized };
}

/** Reads a saved state; anything unreadable is as good as none (and said so). */
export function parseWindowState(raw: string | null, warn: (reason: string) => void): WindowState | null {
  if (raw === null) return null;
  try {
    const parsed = WindowState.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
    warn('the saved window state does not have the expected shape');
  } catch {
    warn('the saved window state is not JSON');
  }
  return null;
}
