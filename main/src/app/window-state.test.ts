import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, parseWindowState, placeWindow } from './window-state.ts';

const laptop = { x: 0, y: 0, width: 1440, height: 876 };
const monitorRight = { x: 1440, y: 0, width: 2560, height: 1400 };

describe('placeWindow', () => {
  it('centres a first window on the primary display', () => {
    expect(placeWindow(null, [laptop], laptop)).toEqual({
      x: (1440 - DEFAULT_SIZE.width) / 2,
      y: (876 - DEFAULT_SIZE.height) / 2,
      ...DEFAULT_SIZE,
      maximized: false,
    });
  });

  it('puts a window back where it was, maximised or not', () => {
    const saved = { x: 1600, y: 100, width: 1200, height: 900, maximized: true };
    expect(placeWindow(saved, [laptop, monitorRight], laptop)).toEqual(saved);
  });

  it('moves a window whose display is gone onto the primary display, keeping its size where it fits', () => {
    const saved = { x: 1600, y: 100, width: 1200, height: 800, maximized: false };
    expect(placeWindow(saved, [laptop], laptop)).toEqual({
      x: 120,
      y: 38,
      width: 1200,
      height: 800,
      maximized: false,
    });
  });

  it('shrinks a window larger than the display it is now on, and keeps it inside', () => {
    const saved = { x: -50, y: -20, width: 3000, height: 2000, maximized: false };
    expect(placeWindow(saved, [laptop], laptop)).toEqual({ ...laptop, maximized: false });
  });

  it('rescues a window with only a sliver left on screen', () => {
    const saved = { x: 1400, y: 300, width: 800, height: 600, maximized: false };
    const placed = placeWindow(saved, [laptop], laptop);
    expect(placed.x).toBeGreaterThanOrEqual(0);
    expect(placed.x + placed.width).toBeLessThanOrEqual(1440);
  });

  it('never opens smaller than the minimum size', () => {
    const saved = { x: 10, y: 10, width: 50, height: 20, maximized: false };
    expect(placeWindow(saved, [laptop], laptop)).toMatchObject({ width: 480, height: 360 });
  });
});

describe('parseWindowState', () => {
  it('reads a saved state and refuses anything else', () => {
    const warnings: string[] = [];
    const warn = (w: string) => void warnings.push(w);
    expect(parseWindowState('{"x":1,"y":2,"width":800,"height":600,"maximized":false}', warn)).toEqual({
      x: 1,
      y: 2,
      width: 800,
      height: 600,
      maximized: false,
    });
    expect(parseWindowState(null, warn)).toBeNull();
    expect(parseWindowState('{"x":"left"}', warn)).toBeNull();
    expect(parseWindowState('not json', warn)).toBeNull();
    expect(parseWindowState('{"x":1.5,"y":2,"width":800,"height":600,"maximized":false}', warn)).toBeNull();
    expect(warnings).toHaveLength(3);
  });
});
