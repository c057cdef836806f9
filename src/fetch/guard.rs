//! The address guard: refuses private, loopback, link-local and other non-public addresses.
//!
//! Checked after DNS resolution (a resolver that filters what it returns, so no connection is
//! ever made to a refused address) and for IP-literal URLs before every request, redirects
//! included. On by default for `quotewire run` and `serve`; pipelines may allow private
//! addresses explicitly. The decisions here are pure functions, tested without connecting.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Whether an address is outside the public internet (RFC 1918, loopback, link-local,
/// CGNAT, unique-local, multicast, documentation and other special-purpose ranges).
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public_v4(v4);
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (seg[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
                || (seg[0] & 0xffc0) == 0xfec0 // fec0::/10 site-local (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 may reach private v4
                || seg[0] == 0x2002 // 6to4 embeds arbitrary v4
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
        }
    }
}

fn is_non_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10 carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24 protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Which addresses fetching may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Any address (one-shot ingests, tests on loopback).
    AllowAll,
    /// Only public addresses, plus the listed networks (`fetch.allow_addresses`).
    PublicOnly { except: Arc<[IpNet]> },
}

impl AddressPolicy {
    fn refuses(&self, ip: IpAddr) -> bool {
        match self {
            AddressPolicy::AllowAll => false,
            AddressPolicy::PublicOnly { except } => is_non_public(ip) && !except.iter().any(|net| net.contains(&ip)),
        }
    }

    /// Refuses a URL whose host is a non-public IP literal (hostnames are checked when
    /// resolved). Returns the refused address.
    pub fn check_url(&self, url: &Url) -> Result<(), IpAddr> {
        if *self == AddressPolicy::AllowAll {
            return Ok(());
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(name)) => match name.parse::<IpAddr>() {
                Ok(ip) => ip,
                // "localhost" and its subdomains resolve to loopback by definition (RFC 6761).
                Err(_)
                    if name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost") =>
                {
                    IpAddr::V4(Ipv4Addr::LOCALHOST)
                }
                Err(_) => return Ok(()),
            },
            None => return Ok(()),
        };
        if self.refuses(ip) { Err(ip) } else { Ok(()) }
    }

    /// Keeps the resolved addresses this policy allows; an error names what was refused.
    pub fn filter(&self, host: &str, resolved: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, String> {
        let (allowed, refused): (Vec<_>, Vec<_>) = resolved.into_iter().partition(|a| !self.refuses(a.ip()));
        if allowed.is_empty() {
            let list: Vec<String> = refused.iter().map(|a| a.ip().to_string()).collect();
            Err(format!("`{host}` resolves only to non-public addresses ({})", list.join(", ")))
        } else {
            Ok(allowed)
        }
    }
}

/// A DNS resolver that applies an [`AddressPolicy`] to every lookup.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: AddressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = policy.filter(&host, resolved).map_err(|m| Box::new(GuardError(m)) as Box<_>)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The resolver's refusal, surfaced through reqwest's error chain.
#[derive(Debug)]
struct GuardError(String);

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GuardError {}

/// The resolver to install in a client, if the policy needs one.
pub fn resolver(policy: &AddressPolicy) -> Option<Arc<GuardedResolver>> {
    (*policy != AddressPolicy::AllowAll).then(|| Arc::new(GuardedResolver { policy: policy.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_ranges_are_recognised() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "100.128.0.1"] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }

    fn public_only(except: &[&str]) -> AddressPolicy {
        AddressPolicy::PublicOnly { except: except.iter().map(|n| n.parse().unwrap()).collect() }
    }

    #[test]
    fn ip_literal_urls_are_refused_before_any_request() {
        let p = public_only(&[]);
        for url in [
            "http://10.0.0.1/feed.xml",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/admin",
            "http://api.localhost/",
            "http://0x7f000001/",
            "http://2130706433/",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(p.check_url(&url).is_err(), "{url}");
            assert!(AddressPolicy::AllowAll.check_url(&url).is_ok());
        }
        assert!(p.check_url(&Url::parse("https://news.example.org/a").unwrap()).is_ok());
        assert!(p.check_url(&Url::parse("http://93.184.216.34/").unwrap()).is_ok());
    }

    #[test]
    fn listed_networks_are_allowed() {
        let p = public_only(&["127.0.0.1/32", "10.1.0.0/16"]);
        assert!(p.check_url(&Url::parse("http://127.0.0.1:8080/feed").unwrap()).is_ok());
        assert!(p.check_url(&Url::parse("http://10.1.2.3/").unwrap()).is_ok());
        assert!(p.check_url(&Url::parse("http://10.2.0.1/").unwrap()).is_err());
        assert!(p.check_url(&Url::parse("http://127.0.0.2/").unwrap()).is_err());
    }

    #[test]
    fn resolved_addresses_are_filtered() {
        let p = public_only(&[]);
        let private: Vec<SocketAddr> = vec!["10.0.0.5:0".parse().unwrap(), "[fd00::5]:0".parse().unwrap()];
        let err = p.filter("intranet.example", private.clone()).unwrap_err();
        assert!(err.contains("intranet.example") && err.contains("10.0.0.5"), "{err}");
        let mixed = vec!["10.0.0.5:0".parse().unwrap(), "93.184.216.34:0".parse().unwrap()];
        assert_eq!(p.filter("mixed.example", mixed).unwrap(), vec!["93.184.216.34:0".parse().unwrap()]);
        assert_eq!(AddressPolicy::AllowAll.filter("x", private.clone()).unwrap(), private);
    }
}
