// The UI's view of the session core: the contract of `@switchboard/client`, nothing more.
export type {
  ConnectionState,
  DisplayMessage,
  RequestMethod,
  RequestResults,
  SessionApi as SessionClient,
  SessionSnapshot,
} from '@switchboard/client/browser';
