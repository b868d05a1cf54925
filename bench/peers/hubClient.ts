// What the decomposition peers (sig+...) share: the naive peer's @microsoft/signalr client, set up the way the
// ProjectX docs show (WebSockets, no negotiation, the token as access token, no logging). The naive peer keeps its
// own copy: it is the whole enforcer anyone writes first, in one file.
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';

export function hubClient(url: string, token: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(url, { skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => token })
    .configureLogging(LogLevel.None)
    .build();
}
