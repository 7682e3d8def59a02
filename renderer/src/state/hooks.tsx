// React access to the session store: the store itself (for requests) and selected state.
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { SessionStore, UiState } from './store.ts';

const StoreContext = createContext<SessionStore | null>(null);

export function StoreProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useStore(): SessionStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside StoreProvider');
  return store;
}

/** Selects part of the UI state; the selector must return a value kept in the state, not a new one. */
export function useUi<T>(select: (state: UiState) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}
