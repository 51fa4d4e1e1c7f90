// Reading a pod's /etc/resolv.conf.

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const [keyword, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (keyword === 'nameserver') conf.nameservers.push(...values);
    // The last search/domain line wins, as in the resolver.
    else if (keyword === 'search' || keyword === 'domain') conf.search = values;
    else if (keyword === 'options') conf.options.push(...values);
  }
  return conf;
}

export function ndots(conf: ResolvConf): number {
  const option = conf.options.find((o) => o.startsWith('ndots:'));
  return option ? Number(option.slice('ndots:'.length)) : 1;
}

export function formatResolvConf(conf: ResolvConf): string {
  return `nameserver ${conf.nameservers.join(',') || '(none)'}; search ${conf.search.join(' ') || '(none)'}; options ${conf.options.join(' ') || '(none)'}`;
}
