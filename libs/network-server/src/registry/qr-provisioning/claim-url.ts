/**
 * Where a join server takes claims, from its Backend Interfaces endpoint as registered
 * (`POST /api/join-servers` `url`): a sibling of the endpoint, `…/api/backend-interfaces` →
 * `…/api/js/claims` (this project's join server, behind any path prefix); for an endpoint of another
 * shape, `/api/js/claims` at its origin.
 */
export function claimUrlOf(backendInterfacesUrl: URL | string): URL {
  const bi = new URL(backendInterfacesUrl.toString());
  const m = /^(.*\/)backend-interfaces\/?$/.exec(bi.pathname);
  const url = new URL(m ? `${m[1]}js/claims` : '/api/js/claims', bi);
  url.search = '';
  url.hash = '';
  return url;
}
