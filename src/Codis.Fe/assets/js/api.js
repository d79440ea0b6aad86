// Calls to the selected product's dashboard, through the FE: <path>?forward=<product>.
import { sha256Hex } from './sha256.js';

/** The dashboard xauth: sha256("Codis-XAuth-[<product>]") truncated to 32 hex characters (dashboard-api.md §3). */
export async function xauth(product) {
  return (await sha256Hex(`Codis-XAuth-[${product}]`)).slice(0, 32);
}

/** A failed call: the HTTP status and the body the dashboard (or the FE) answered. */
export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }

  /** The parsed JSON body (HTTP 800 {Cause, Stack}), or null. */
  get json() {
    try {
      return JSON.parse(this.body);
    } catch {
      return null;
    }
  }
}

/** GET /list: the product names. */
export async function listProducts() {
  const r = await fetch('list', { cache: 'no-store' });
  if (!r.ok) throw new ApiError(r.status, await r.text());
  return (await r.json()) ?? [];
}

/** A call forwarded to the dashboard of product; resolves to the parsed JSON body, rejects with ApiError. */
export async function call(method, path, product) {
  const url = encodeURI(path) + '?forward=' + encodeURIComponent(product);
  let r;
  try {
    r = await fetch(url, { method, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, String(e));
  }
  const text = await r.text();
  if (r.status !== 200) throw new ApiError(r.status, text);
  return text.length > 0 ? JSON.parse(text) : null;
}
