// Managing accounts: the user's own (display name, password, signed-in devices) and, for admins,
// everyone's (people, invites, reset links, registration). These go over REST with the session's
// token, never the socket: the server lets sign-in sessions only manage accounts, and keeps that rule
// in one place, its route groups. Each request is one route; the answer is checked against the
// contract's result before anyone sees it.
import { Results, type RequestParams, type RequestResults } from '../contract.ts';
import { parseAnswer, restCall, type HttpMethod } from '../rest.ts';

export type ManageMethod =
  | 'setDisplayName'
  | 'changePassword'
  | 'listSessions'
  | 'endSession'
  | 'endOtherSessions'
  | 'listPeople'
  | 'updatePerson'
  | 'resetLink'
  | 'listInvites'
  | 'createInvite'
  | 'revokeInvite'
  | 'getRegistration'
  | 'setRegistration';

interface Route {
  method: HttpMethod;
  path: string;
  json?: unknown;
}

const id = (value: string) => encodeURIComponent(value);

const ROUTES: { [M in ManageMethod]: (params: RequestParams<M>) => Route } = {
  setDisplayName: (p) => ({ method: 'PATCH', path: '/me', json: p }),
  changePassword: (p) => ({ method: 'POST', path: '/me/password', json: p }),
  listSessions: () => ({ method: 'GET', path: '/me/sessions' }),
  endSession: ({ sessionId }) => ({ method: 'DELETE', path: `/me/sessions/${id(sessionId)}` }),
  endOtherSessions: () => ({ method: 'POST', path: '/me/sessions/end-others' }),
  listPeople: () => ({ method: 'GET', path: '/admin/users' }),
  updatePerson: ({ userId, ...change }) => ({ method: 'PATCH', path: `/users/${id(userId)}`, json: change }),
  resetLink: ({ userId }) => ({ method: 'POST', path: `/users/${id(userId)}/password-reset` }),
  listInvites: () => ({ method: 'GET', path: '/invites' }),
  createInvite: (p) => ({ method: 'POST', path: '/invites', json: p }),
  revokeInvite: ({ inviteId }) => ({ method: 'DELETE', path: `/invites/${id(inviteId)}` }),
  getRegistration: () => ({ method: 'GET', path: '/registration' }),
  setRegistration: (p) => ({ method: 'PUT', path: '/registration', json: p }),
};

export interface ManageHost {
  /** The server's address and this session's token; throws when signed out. */
  session(): { serverUrl: string; token: string };
}

export class AccountManagement {
  constructor(private readonly host: ManageHost) {}

  async request<M extends ManageMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]> {
    const { serverUrl, token } = this.host.session();
    const route = ROUTES[method](params);
    let answer = await restCall<unknown>(serverUrl, route.method, `/api/v1${route.path}`, {
      token,
      json: route.json,
    });
    // A server that does not know its public URL leaves links to the client, which knows its address.
    if (method === 'createInvite' || method === 'resetLink') {
      const issued = answer as { code?: unknown; url?: unknown } | null;
      if (issued && issued.url === null && typeof issued.code === 'string') {
        const param = method === 'createInvite' ? 'invite' : 'reset';
        answer = { ...issued, url: `${serverUrl}/?${param}=${encodeURIComponent(issued.code)}` };
      }
    }
    return parseAnswer(Results[method], answer) as RequestResults[M];
  }
}
