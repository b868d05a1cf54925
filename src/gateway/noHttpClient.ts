// The HTTP client handed to SignalR. riskd connects hubs with skipNegotiation over WebSockets only, so SignalR
// never sends an HTTP request; its default client would still load tough-cookie, fetch-cookie and the public
// suffix list (psl) when each hub is built, ~0.1 s CPU of every start, for a cookie jar that stays empty.
import { HttpClient, type HttpRequest, type HttpResponse } from '@microsoft/signalr';

export class NoHttpClient extends HttpClient {
  send(request: HttpRequest): Promise<HttpResponse> {
    // Reaching this means the hub options changed (negotiation or a non-WebSocket transport came back).
    return Promise.reject(new Error(`SignalR HTTP request not supported (hubs use skipNegotiation + WebSockets): ${request.method ?? ''} ${request.url ?? ''}`));
  }

  override getCookieString(): string {
    return '';
  }
}
