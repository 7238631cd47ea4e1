/** Wraps `/api/session/:id/...` handlers: validates the id and answers 404 for an unknown session once, here. */
import type { Result } from '../../../../../shared/src/index.js';
import { idValue } from '../params.js';
import type { Route, RouteInput, RouteOutput } from '../router.js';
import type { Row } from '../tableDb.js';
import { requireSession } from './helpers.js';

export function sessionRoute(suffix: string, handle: (input: RouteInput, id: string, session: Row) => Promise<Result<RouteOutput>>): Route {
  return {
    method: 'GET',
    path: `/api/session/:id/${suffix}`,
    async handle(input) {
      const id = idValue(input.params['id'] ?? '', 'session id');
      if (!id.ok) return id;
      const session = await requireSession(input, id.value);
      if (!session.ok) return session;
      return handle(input, id.value, session.value);
    },
  };
}
