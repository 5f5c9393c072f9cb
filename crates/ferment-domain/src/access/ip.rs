//! IP rules: which addresses a user may sign in and work from, and which address a request
//! comes from when it passes through a trusted proxy.
//!
//! A user's own allow-list and each of their roles' allow-lists *apply* when not empty. A request
//! is allowed when no list applies, or when its address lies in at least one list that applies.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Actor;
use crate::validation::Problem;

/// Parses `10.1.0.0/16`, `2001:db8::/32` or a single address (a /32 or /128), clearing host bits.
pub fn parse_net(text: &str) -> Result<IpNet, Problem> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| Problem::Cidr)
}

/// Whether `address` may be used by `actor` with their own allow-list `user_allow`. When no list
/// applies, any address passes, an unknown one (`None`) too; otherwise the address must be known and
/// lie in one of the lists. An IPv4 address mapped into IPv6 (`::ffff:10.1.2.3`) is checked as the
/// IPv4 address.
pub fn allowed(actor: &Actor, user_allow: &[IpNet], address: Option<IpAddr>) -> bool {
    let mut lists = std::iter::once(user_allow)
        .chain(
            actor
                .roles
                .iter()
                .map(|role| role.rights.ip_allow.as_slice()),
        )
        .filter(|list| !list.is_empty())
        .peekable();
    if lists.peek().is_none() {
        return true;
    }
    let Some(address) = address.map(canonical) else {
        return false;
    };
    lists.any(|list| list.iter().any(|net| net.contains(&address)))
}

/// The address as IPv4 when it is an IPv4-mapped IPv6 address.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client's address: the connection's peer, unless the peer is a trusted proxy, in which case
/// `X-Forwarded-For` (`forwarded`, every header value in order) is read from the right, skipping
/// trusted proxies; the first address that is not one is the client. An unreadable entry stops the
/// walk at the last address known good (a proxy never vouches for what it cannot parse).
pub fn client_address(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    let mut client = canonical(peer);
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = forwarded
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    for hop in hops.iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = canonical(address);
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{HeldRole, Rights};
    use uuid::Uuid;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| parse_net(n).unwrap()).collect()
    }

    fn actor(role_lists: &[&[&str]]) -> Actor {
        let roles = role_lists
            .iter()
            .enumerate()
            .map(|(index, list)| HeldRole {
                code: format!("role{index}"),
                rights: Rights {
                    ip_allow: nets(list),
                    ..Rights::default()
                },
            })
            .collect();
        Actor::with_roles(Uuid::from_u128(1), roles)
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_parse_with_host_bits_cleared_and_bad_ones_are_refused() {
        assert_eq!(parse_net("10.1.2.3/16").unwrap().to_string(), "10.1.0.0/16");
        assert_eq!(
            parse_net(" 127.0.0.2 ").unwrap().to_string(),
            "127.0.0.2/32"
        );
        assert_eq!(
            parse_net("2001:db8::1/32").unwrap().to_string(),
            "2001:db8::/32"
        );
        assert_eq!(parse_net("::1").unwrap().to_string(), "::1/128");
        for bad in [
            "",
            "10.1.0.0/33",
            "10.1/16",
            "example.org",
            "2001:db8::/129",
            "1.2.3.4/",
        ] {
            assert_eq!(parse_net(bad), Err(Problem::Cidr), "{bad}");
        }
    }

    #[test]
    fn no_list_means_anywhere() {
        assert!(allowed(&actor(&[&[]]), &[], Some(ip("203.0.113.9"))));
        assert!(allowed(&actor(&[]), &[], Some(ip("::1"))));
        assert!(
            allowed(&actor(&[]), &[], None),
            "no list: an unknown address too"
        );
        assert!(!allowed(&actor(&[&["10.1.0.0/16"]]), &[], None));
        assert!(!allowed(&actor(&[]), &nets(&["10.1.0.0/16"]), None));
    }

    #[test]
    fn an_address_must_lie_in_one_list_that_applies() {
        let office = actor(&[&["10.1.0.0/16"], &[]]);
        assert!(allowed(&office, &[], Some(ip("10.1.200.3"))));
        assert!(!allowed(&office, &[], Some(ip("10.2.0.1"))));
        // the user's own list is one more list: either lets the user in
        let home = nets(&["192.0.2.7"]);
        assert!(allowed(&office, &home, Some(ip("192.0.2.7"))));
        assert!(allowed(&office, &home, Some(ip("10.1.0.1"))));
        assert!(!allowed(&office, &home, Some(ip("192.0.2.8"))));
        // only the user's own list
        assert!(allowed(&actor(&[&[]]), &home, Some(ip("192.0.2.7"))));
        assert!(!allowed(&actor(&[&[]]), &home, Some(ip("127.0.0.1"))));
    }

    #[test]
    fn ipv6_and_mapped_ipv4_addresses() {
        let both = actor(&[&["2001:db8::/32", "127.0.0.2/32"]]);
        assert!(allowed(&both, &[], Some(ip("2001:db8:5::1"))));
        assert!(!allowed(&both, &[], Some(ip("2001:db9::1"))));
        assert!(allowed(&both, &[], Some(ip("::ffff:127.0.0.2"))));
        assert!(!allowed(&both, &[], Some(ip("::ffff:127.0.0.3"))));
    }

    #[test]
    fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let trusted = nets(&["127.0.0.10", "10.0.0.0/8"]);
        // not behind a trusted proxy: the header is ignored (anyone can send it)
        assert_eq!(
            client_address(ip("127.0.0.3"), &["127.0.0.2"], &trusted),
            ip("127.0.0.3")
        );
        // behind it: the rightmost untrusted hop
        assert_eq!(
            client_address(ip("127.0.0.10"), &["127.0.0.2"], &trusted),
            ip("127.0.0.2")
        );
        assert_eq!(
            client_address(
                ip("127.0.0.10"),
                &["6.6.6.6, 198.51.100.4, 10.0.0.5"],
                &trusted
            ),
            ip("198.51.100.4"),
            "a spoofed leftmost entry is not believed"
        );
        assert_eq!(
            client_address(ip("127.0.0.10"), &["198.51.100.4", "10.0.0.5"], &trusted),
            ip("198.51.100.4"),
            "several header lines read as one list"
        );
        // no header, or garbage: the proxy itself
        assert_eq!(
            client_address(ip("127.0.0.10"), &[], &trusted),
            ip("127.0.0.10")
        );
        assert_eq!(
            client_address(ip("127.0.0.10"), &["198.51.100.4, nonsense"], &trusted),
            ip("127.0.0.10")
        );
        // nothing trusted: always the peer
        assert_eq!(
            client_address(ip("127.0.0.10"), &["127.0.0.2"], &[]),
            ip("127.0.0.10")
        );
    }
}
