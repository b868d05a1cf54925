// What the two benchmark peers (naive.ts, floor.ts) are told on their command line: where the gateway is, whose
// account to watch, and the RULE-001 limit to hold it to.
export interface PeerConfig {
  apiUrl: string;
  userHubUrl: string;
  /** Only the sig+all peer listens to the market hub (riskd's quote subscription). */
  marketHubUrl: string;
  userName: string;
  apiKey: string;
  accountId: number;
  contractId: string;
  limit: number;
}
