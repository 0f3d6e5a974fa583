import { haproxyMetricsText } from './stats';

const CSV = [
  '# pxname,svname,req_tot,hrsp_2xx,hrsp_5xx,wretr,wredis,econ,status,',
  'wharf,FRONTEND,120,110,3,,,,OPEN,',
  'wharf_control,node,,,,0,0,0,no check,',
  'd0,a1,,,,0,0,0,no check,',
  'd0,a2,,,,0,0,0,MAINT,',
  'd0,BACKEND,,,,2,1,4,UP,',
  'd1,BACKEND,,,,1,0,0,UP,',
  '',
].join('\n');

describe('haproxyMetricsText', () => {
  it('sums the frontend and slot counters into wharf_proxy_haproxy_* samples', () => {
    const text = haproxyMetricsText(CSV);
    expect(text).toContain('wharf_proxy_haproxy_requests_total 120\n');
    expect(text).toContain('wharf_proxy_haproxy_responses_total{status_class="2xx"} 110\n');
    expect(text).toContain('wharf_proxy_haproxy_responses_total{status_class="5xx"} 3\n');
    expect(text).toContain('wharf_proxy_haproxy_upstream_retries_total 3\n');
    expect(text).toContain('wharf_proxy_haproxy_upstream_redispatches_total 1\n');
    expect(text).toContain('wharf_proxy_haproxy_upstream_connect_errors_total 4\n');
    expect(text).toContain('wharf_proxy_haproxy_servers{state="up"} 1\n');
    expect(text).toContain('wharf_proxy_haproxy_servers{state="down"} 0\n');
  });

  it('reports zeros for an answer it cannot read', () => {
    expect(haproxyMetricsText('Unknown command')).toContain('wharf_proxy_haproxy_requests_total 0\n');
  });
});
