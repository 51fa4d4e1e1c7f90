// The kernel's build configuration (/proc/config.gz, else /boot/config-<release>) answers whether a
// module exists at all where the module lists cannot be read, e.g. a kernel without loadable
// modules: "# CONFIG_NFT_QUEUE is not set" is a definite no.

/** The Kconfig symbol of each module a profile or proxy mode names. */
const SYMBOLS: Record<string, string> = {
  br_netfilter: 'CONFIG_BRIDGE_NETFILTER',
  ip_vs: 'CONFIG_IP_VS',
  ip_vs_rr: 'CONFIG_IP_VS_RR',
  ip_vs_sh: 'CONFIG_IP_VS_SH',
  ip_vs_wrr: 'CONFIG_IP_VS_WRR',
  nf_conntrack: 'CONFIG_NF_CONNTRACK',
  nfnetlink_queue: 'CONFIG_NETFILTER_NETLINK_QUEUE',
  nft_queue: 'CONFIG_NFT_QUEUE',
  sctp: 'CONFIG_IP_SCTP',
  xt_recent: 'CONFIG_NETFILTER_XT_MATCH_RECENT',
};

export type ConfigAnswer = { symbol: string; value: 'y' | 'm' | 'unset' };

/** What the configuration says of `module`, or undefined when it does not know the module. */
export function configuredModule(config: string, module: string): ConfigAnswer | undefined {
  const symbol = SYMBOLS[module.replaceAll('-', '_')];
  if (symbol === undefined) return undefined;
  const set = new RegExp(`^${symbol}=([ym])$`, 'm').exec(config);
  if (set) return { symbol, value: set[1] as 'y' | 'm' };
  return new RegExp(`^# ${symbol} is not set$`, 'm').test(config) ? { symbol, value: 'unset' } : undefined;
}
