// A page of the control server and its fixed list of assets (src/control/web), read from disk once and served
// with no browser caching (a new riskd build shows at once) and the page's content security policy. No path from
// a URL reaches the disk: only the names listed are served.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

const WEB_DIR = new URL('./web/', import.meta.url);

export interface StaticSite {
  /** Writes the HTML page. */
  page(res: ServerResponse): void;
  /** Writes the asset and returns true, or returns false when `name` is not listed (the caller answers 404). */
  asset(res: ServerResponse, name: string): boolean;
}

/** `assets` maps each served file name to its content type. */
export function staticSite(html: string, assets: Readonly<Record<string, string>>, csp: string): StaticSite {
  const cache = new Map<string, string>();
  const read = (name: string): string => {
    let text = cache.get(name);
    if (text === undefined) cache.set(name, (text = readFileSync(new URL(name, WEB_DIR), 'utf8')));
    return text;
  };
  return {
    page(res) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': csp });
      res.end(read(html));
    },
    asset(res, name) {
      const type = Object.hasOwn(assets, name) ? assets[name] : undefined;
      if (!type) return false;
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(read(name));
      return true;
    },
  };
}
