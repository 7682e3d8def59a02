// The UI's view of the session core: the contract in client/src/contract.ts, nothing more.
export type {
  ConnectionState,
  DisplayMessage,
  RequestMethod,
  RequestResults,
  SessionApi as SessionClient,
  SessionSnapshot,
} from '../../../client/src/contract.ts';
