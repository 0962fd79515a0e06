import { validateChatRequest } from '../../request/validate-request.js';
import type { Stage } from '../stage.js';

/** Rejects malformed requests with a 400 that names the field, before anything is spent on them. */
export function validateStage(): Stage {
  return async (context, next) => {
    context.request = validateChatRequest(context.request);
    return next();
  };
}
