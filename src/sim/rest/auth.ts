// Auth/loginKey, Auth/validate, Auth/logout.
import { ok, reqString, type Route } from './common.ts';

export const authRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/Auth/loginKey',
    auth: false,
    handler: (body, ctx) => {
      // Missing fields -> HTTP 400 (checked before credentials, like model binding does).
      const apiKey = reqString(body, 'apiKey');
      const userName = reqString(body, 'userName');
      const good = userName.toLowerCase() === ctx.credentials.userName.toLowerCase() && apiKey === ctx.credentials.apiKey;
      // Bad credentials are still HTTP 200: success:false, errorCode 3 InvalidCredentials.
      if (!good) return ok({ token: null }, false, 3);
      return ok({ token: ctx.tokens.issue(ctx.credentials.userName) });
    },
  },
  {
    method: 'POST',
    path: '/api/Auth/validate',
    auth: false, // checks the bearer itself: unknown -> 401, expired -> errorCode 3
    bodyless: true,
    handler: (_body, ctx) => {
      const state = ctx.tokens.state(ctx.token);
      if (state === 'unknown') return { status: 401 };
      if (state === 'expired') return ok({ newToken: null }, false, 3);
      return ok({ newToken: ctx.tokens.issue(ctx.credentials.userName) });
    },
  },
  {
    method: 'POST',
    path: '/api/Auth/logout',
    auth: true,
    bodyless: true,
    handler: (_body, ctx) => {
      if (ctx.token) ctx.tokens.revoke(ctx.token);
      return ok({});
    },
  },
];
