import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';

/** The part of an express app this needs: the prototypes it gives requests and responses. */
interface AppPrototypes {
  request: object;
  response: object;
}

/**
 * Makes `server` construct each request and response on `app`'s own prototypes, as
 * `http.createServer({ IncomingMessage, ServerResponse })` would have.
 *
 * Why: express otherwise moves every request and response onto its prototypes
 * (`Object.setPrototypeOf` in its init middleware). V8 then keeps each request's objects alive
 * through young-generation collections and promotes them, so the old generation fills with
 * finished requests: in bench/fleet-backend, about 2 MB promoted per minor collection, a third
 * more CPU per request, and a heap that grows to several times what is live. With the
 * prototype already right, express's call changes nothing.
 *
 * Backstage creates the server before it hands it to `configure`, so this sets the two
 * classes where Node keeps that option: the server's own fields that still hold Node's
 * defaults. It changes nothing, and answers false, when it cannot do that safely: another
 * Node keeps them elsewhere, the server was given classes of its own, or Node's classes are
 * not callable constructors.
 */
export function buildRequestsOnAppPrototypes(
  server: Server,
  app: AppPrototypes,
): boolean {
  const fields = server as unknown as Record<symbol, unknown>;
  const slots = Object.getOwnPropertySymbols(server);
  const requestSlot = slots.find(slot => fields[slot] === IncomingMessage);
  const responseSlot = slots.find(slot => fields[slot] === ServerResponse);
  if (!requestSlot || !responseSlot) return false;
  // Both are function constructors in Node (not `class`), so a constructor of ours can run
  // them on the object `new` made with the app's prototype.
  const isClass = (constructor: unknown) =>
    Function.prototype.toString.call(constructor).startsWith('class');
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return false;

  const initRequest = IncomingMessage as unknown as (
    this: IncomingMessage,
    socket: Socket,
  ) => void;
  const initResponse = ServerResponse as unknown as (
    this: ServerResponse,
    request: IncomingMessage,
    options?: object,
  ) => void;
  function AppRequest(this: IncomingMessage, socket: Socket) {
    initRequest.call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(
    this: ServerResponse,
    request: IncomingMessage,
    options?: object,
  ) {
    initResponse.call(this, request, options);
  }
  AppResponse.prototype = app.response;

  fields[requestSlot] = AppRequest;
  fields[responseSlot] = AppResponse;
  return true;
}

/** Backstage's root HTTP router, with requests built on the app's prototypes (above). */
export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure({ app, server, logger, applyDefaults }) {
    if (!buildRequestsOnAppPrototypes(server, app)) {
      logger.warn(
        'HTTP server: requests are re-parented by express on each request (this Node keeps ' +
          'its request classes elsewhere); everything works, at more garbage collection per request',
      );
    }
    applyDefaults();
  },
});
