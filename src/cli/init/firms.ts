// ProjectX firms whose gateway addresses are documented: TopstepX, and the pattern other ProjectX firms follow
// (api.<firm>.projectx.com, e.g. The Futures Desk). Any other firm: its name in that pattern, or the three URLs
// by hand.
export interface GatewayUrls {
  api_url: string;
  user_hub_url: string;
  market_hub_url: string;
}

export interface FirmPreset {
  id: string;
  name: string;
  urls: GatewayUrls;
}

/** The addresses every ProjectX firm gets under projectx.com: api.<firm>… and rtc.<firm>…/hubs/{user,market}. */
export function projectxFirm(slug: string): GatewayUrls {
  return {
    api_url: `https://api.${slug}.projectx.com`,
    user_hub_url: `https://rtc.${slug}.projectx.com/hubs/user`,
    market_hub_url: `https://rtc.${slug}.projectx.com/hubs/market`,
  };
}

export const FIRMS: readonly FirmPreset[] = [
  {
    id: 'topstepx',
    name: 'TopstepX',
    urls: { api_url: 'https://api.topstepx.com', user_hub_url: 'https://rtc.topstepx.com/hubs/user', market_hub_url: 'https://rtc.topstepx.com/hubs/market' },
  },
  { id: 'thefuturesdesk', name: 'The Futures Desk', urls: projectxFirm('thefuturesdesk') },
];

/** A firm's ProjectX name as it appears in its addresses (letters, digits, dashes). */
export const FIRM_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
