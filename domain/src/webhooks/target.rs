//! Where a webhook sends its events: an address parsed once, by the parser the HTTP client
//! uses (`url::Url`, which reqwest re-exports), and then used as that value everywhere: to
//! validate it when it is saved, to check it before a delivery, and to connect.
//!
//! A hand-written reading of an address and the client's reading can disagree (percent
//! signs, backslashes, non-ASCII names, the many ways to write an IPv4 address), and then the
//! name that was checked is not the host that is called. So there is one reading, and an
//! address whose host the parser would rewrite is refused when it is saved: what the lead
//! sees in the settings is exactly the host the server calls. Names are checked again where
//! they are resolved (the delivery client's resolver refuses private answers), so no second
//! lookup can reach another address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use super::MAX_URL;
use crate::error::AppError;

/// A webhook's address: an absolute `http` or `https` URL without user information, whose
/// host is written as the parser reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookTarget(Url);

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path and query often carry a receiver's secret.
        write!(f, "WebhookTarget({})", self.origin())
    }
}

/// Why an address cannot be a webhook's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing was entered.
    Empty,
    /// Longer than [`MAX_URL`].
    TooLong,
    /// Not an absolute URL the parser accepts.
    Invalid,
    /// Not `http` or `https`.
    Scheme,
    /// A user name or password before the host.
    UserInfo,
    /// Spaces, control characters or backslashes.
    Characters,
    /// Port 0.
    Port,
    /// The parser reads the host differently from how it is written.
    Rewritten {
        /// The host as the parser reads it (and as the client would call it).
        read_as: String,
    },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter the address to send events to."),
            Self::TooLong => write!(
                f,
                "The address is too long (at most {MAX_URL} characters)."
            ),
            Self::Invalid => f.write_str(
                "Enter a full http:// or https:// address, such as https://example.org/hooks/touchpoint.",
            ),
            Self::Scheme => f.write_str("Only http:// and https:// addresses can receive webhooks."),
            Self::UserInfo => f.write_str(
                "Leave out the user name and password before the host; put a secret in the path or use the signing secret.",
            ),
            Self::Characters => f.write_str(
                "The address may not contain spaces, control characters or backslashes.",
            ),
            Self::Port => f.write_str("Port 0 cannot receive webhooks."),
            Self::Rewritten { read_as } => write!(
                f,
                "The host of this address is read as \"{read_as}\". Write it that way, so that the address you see is the one called."
            ),
        }
    }
}

impl From<TargetError> for AppError {
    fn from(e: TargetError) -> Self {
        AppError::field("url", e.to_string())
    }
}

impl WebhookTarget {
    /// Parses an address as entered (surrounding spaces are ignored).
    pub fn parse(input: &str) -> Result<Self, TargetError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TargetError::Empty);
        }
        if input.len() > MAX_URL {
            return Err(TargetError::TooLong);
        }
        // The parser drops tabs and line breaks anywhere and reads `\` as `/`: refuse them
        // rather than let the address mean something other than what it shows.
        if input
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(TargetError::Characters);
        }
        let url = Url::parse(input).map_err(|_| TargetError::Invalid)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::UserInfo);
        }
        let Some(host) = url.host_str() else {
            return Err(TargetError::Invalid);
        };
        if url.port() == Some(0) {
            return Err(TargetError::Port);
        }
        let written = written_host(input).ok_or(TargetError::Invalid)?;
        let is_name = matches!(url.host(), Some(Host::Domain(_)));
        if !same_host(written, host, is_name) {
            return Err(TargetError::Rewritten {
                read_as: host.to_string(),
            });
        }
        Ok(Self(url))
    }

    /// The address as the client calls it (also what is stored and shown).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL, to hand to the HTTP client as it is.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host as the client reads it.
    pub fn host(&self) -> Host<&str> {
        self.0.host().unwrap_or(Host::Domain(""))
    }

    /// The address when the host is written as one (the client connects to it without a
    /// lookup).
    pub fn literal_ip(&self) -> Option<IpAddr> {
        match self.host() {
            Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
            Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
            Host::Domain(_) => None,
        }
    }

    /// Whether the host is private by its spelling alone: a private literal address, or a
    /// name such as `localhost` or `*.internal`. A name that is not is checked when it is
    /// resolved.
    pub fn is_plainly_private(&self) -> bool {
        match self.host() {
            Host::Domain(name) => name_is_private(name),
            _ => self.literal_ip().is_some_and(is_private_ip),
        }
    }

    /// `scheme://host[:port]`: what logs and the audit trail record (a receiver's path and
    /// query often carry a secret).
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl fmt::Display for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The host as it was written in `input`, port and user information aside. `None` when the
/// address does not start with `scheme://` followed by a host.
fn written_host(input: &str) -> Option<&str> {
    let (_, rest) = input.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return None;
    }
    let host = if authority.starts_with('[') {
        // An IPv6 literal: keep the brackets, as the parser's host string has them.
        let end = authority.find(']')?;
        let after = &authority[end + 1..];
        if !(after.is_empty() || after.starts_with(':')) {
            return None;
        }
        &authority[..=end]
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            Some(_) => return None,
            None => authority,
        }
    };
    (!host.is_empty()).then_some(host)
}

/// Whether the written host and the parser's host are the same: equal but for ASCII case,
/// or, for a non-ASCII name, equal to its IDNA (punycode) form, which is the name the client
/// looks up (never an address: full-width digits that map to an IPv4 address are a rewrite).
fn same_host(written: &str, parsed: &str, parsed_is_name: bool) -> bool {
    if written.is_ascii() {
        written.eq_ignore_ascii_case(parsed)
    } else {
        parsed_is_name && idna::domain_to_ascii(written).is_ok_and(|ascii| ascii == parsed)
    }
}

/// Whether a host name is private by its name: `localhost` and its subdomains, `.local`
/// (multicast DNS) and `.internal` names.
pub fn name_is_private(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.ends_with(".local")
        || name == "internal"
        || name.ends_with(".internal")
}

/// Whether an address is one webhooks must not reach without the admin's permission:
/// - IPv4: "this network" (0/8), loopback, private (RFC 1918), shared (100.64/10),
///   link-local (with cloud metadata at 169.254.169.254), IETF protocol assignments
///   (192.0.0/24), documentation, benchmarking (198.18/15), multicast, reserved (240/4) and
///   broadcast;
/// - IPv6: unspecified, loopback, IPv4-compatible (`::/96`) and IPv4-mapped, unique local
///   (fc00::/7), link-local, the deprecated site-local (fec0::/10), multicast,
///   documentation, discard-only (100::/64), and the forms that carry an IPv4 address
///   (NAT64 `64:ff9b::/96` and the local-use `64:ff9b:1::/48`, 6to4 `2002::/16`, Teredo
///   `2001::/32`) when that address is private, or always where it cannot be read.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    a == 0
        || v4.is_loopback()
        || v4.is_private()
        || (a == 100 && (64..128).contains(&b))
        || v4.is_link_local()
        || (a == 192 && b == 0 && c == 0)
        || v4.is_documentation()
        || (a == 198 && (b == 18 || b == 19))
        || v4.is_multicast()
        || a >= 240
}

fn is_private_v6(v6: Ipv6Addr) -> bool {
    let seg = v6.segments();
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // ::/96, IPv4-compatible (deprecated), with :: and ::1 among them; and ::ffff:0:0/96.
    if seg[..6] == [0; 6] {
        return true;
    }
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_private_v4(v4);
    }
    match seg[0] {
        // NAT64: 64:ff9b::/96 carries an IPv4 address in its last 32 bits; 64:ff9b:1::/48 is
        // for local use (RFC 8215), so private whatever it carries.
        0x64 if seg[1] == 0xff9b && seg[2..6] == [0; 4] => is_private_v4(embedded(seg[6], seg[7])),
        0x64 if seg[1] == 0xff9b && seg[2] == 1 => true,
        // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
        0x2002 => is_private_v4(embedded(seg[1], seg[2])),
        // Teredo (2001::/32) hides its client's address; documentation 2001:db8::/32.
        0x2001 if seg[1] == 0 || seg[1] == 0x0db8 => true,
        // Discard-only 100::/64.
        0x0100 if seg[1..4] == [0; 3] => true,
        s => {
            (s & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s & 0xffc0) == 0xfec0 // site-local fec0::/10
                || (s & 0xff00) == 0xff00 // multicast ff00::/8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> WebhookTarget {
        WebhookTarget::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn addresses_are_kept_as_the_client_reads_them() {
        let t = parsed(" https://Hooks.Example.org/in?x=1 ");
        assert_eq!(t.as_str(), "https://hooks.example.org/in?x=1");
        assert_eq!(t.host(), Host::Domain("hooks.example.org"));
        assert_eq!(t.origin(), "https://hooks.example.org");
        assert!(!t.is_plainly_private());
        let t = parsed("http://127.0.0.1:8080/in");
        assert_eq!(t.literal_ip(), Some("127.0.0.1".parse().expect("ip")));
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        assert!(t.is_plainly_private());
        let t = parsed("http://[::1]:9000/");
        assert_eq!(t.literal_ip(), Some("::1".parse().expect("ip")));
        // Unicode names are checked and called in their IDNA form.
        let t = parsed("https://bücher.example/hook");
        assert_eq!(t.host(), Host::Domain("xn--bcher-kva.example"));
        // A trailing dot stays (it is the same name to a resolver).
        assert_eq!(
            parsed("http://example.org./").host(),
            Host::Domain("example.org.")
        );
        // The path carries no secret into logs.
        assert_eq!(
            format!("{:?}", parsed("https://h.example/s3cret")),
            "WebhookTarget(https://h.example)"
        );
    }

    #[test]
    fn a_host_the_parser_would_rewrite_is_refused() {
        for (input, read_as) in [
            ("http://127.0.0.%31/", "127.0.0.1"),
            ("http://local%68ost/", "localhost"),
            ("http://evil%2Etest/", "evil.test"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.0.0.1/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://127.0.1/", "127.0.0.1"),
            ("http://10.1/", "10.0.0.1"),
            ("http://[0:0:0:0:0:0:0:1]/", "[::1]"),
            ("http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"),
            ("http://[::127.0.0.1]/", "[::7f00:1]"),
            ("http://１２７．０．０．１/", "127.0.0.1"),
        ] {
            match WebhookTarget::parse(input) {
                Err(TargetError::Rewritten { read_as: r }) => assert_eq!(r, read_as, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_malformed_addresses_are_refused() {
        for (input, want) in [
            ("", TargetError::Empty),
            ("   ", TargetError::Empty),
            ("example.org/hooks", TargetError::Invalid),
            ("https:///path", TargetError::Invalid),
            ("http:example.org/", TargetError::Invalid),
            ("http:/example.org/", TargetError::Invalid),
            ("https://example.org:99999/", TargetError::Invalid),
            ("ftp://example.org/", TargetError::Scheme),
            ("file:///etc/passwd", TargetError::Scheme),
            ("https://user:pw@example.org/", TargetError::UserInfo),
            ("https://user@example.org/", TargetError::UserInfo),
            ("https://@example.org/", TargetError::Invalid),
            ("http://127.0.0.1\\.evil.test/", TargetError::Characters),
            ("http://evil.test\\@127.0.0.1/", TargetError::Characters),
            ("http://exa\tmple.org/", TargetError::Characters),
            ("https://exa mple.org/", TargetError::Characters),
            ("https://example.org:0/", TargetError::Port),
        ] {
            assert_eq!(WebhookTarget::parse(input), Err(want), "{input:?}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL));
        assert_eq!(WebhookTarget::parse(&long), Err(TargetError::TooLong));
    }

    #[test]
    fn private_names_are_recognised_by_their_spelling() {
        for url in [
            "http://localhost:3000/in",
            "http://LOCALHOST/in",
            "http://localhost./in",
            "http://api.localhost/",
            "http://printer.local/",
            "http://metadata.google.internal/",
            "http://10.0.0.5/in",
            "http://[fd00::1]/",
        ] {
            assert!(parsed(url).is_plainly_private(), "{url}");
        }
        assert!(!parsed("http://localhost.example.org/").is_plainly_private());
    }

    #[test]
    fn private_and_reserved_addresses_are_recognised() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::7f00:1",
            "::808:808",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::808:808",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001::1",
            "2001:db8::1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "feff::1",
            "ff02::1",
        ] {
            assert!(is_private_ip(ip.parse().expect(ip)), "{ip} is private");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700::1111",
            "2a00:1450::1",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_private_ip(ip.parse().expect(ip)), "{ip} is public");
        }
    }
}
