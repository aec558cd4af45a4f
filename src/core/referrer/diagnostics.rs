//! Stable diagnostic codes for referrer entries and decisions, each with a message that says
//! how to fix the entry or why the decision came out as it did.

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The entry is malformed and is skipped (never widened).
    Error,
    /// The entry works, but not as its author may think.
    Warning,
    /// Something was normalised; nothing to fix.
    Info,
}

impl Severity {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $msg:literal; )*) => {
        /// A diagnostic or decision code.
        // Each variant's doc is its user-facing message, verbatim; the example URLs in them are
        // text the user reads, not links.
        #[allow(rustdoc::bare_urls)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $msg]
                $variant,
            )*
        }

        impl Code {
            /// The stable string code (`"WILDCARD_POSITION"`, …).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity when it describes an entry; decision codes report `Info`.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// What it means and what to do.
            pub fn message(self) -> &'static str {
                match self { $( Code::$variant => $msg, )* }
            }

            /// Looks a code up by its string.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $( $code => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    // Entry errors: the entry is skipped.
    EmptyEntry = "EMPTY_ENTRY", Error, "The entry is empty: remove it, or write a URL such as https://app.example.com.";
    EntryTooLong = "ENTRY_TOO_LONG", Error, "The entry is longer than 2,048 characters: shorten it to the origin, e.g. https://app.example.com.";
    WhitespaceInside = "WHITESPACE_INSIDE", Error, "The entry contains whitespace or a control character inside it: remove them (a referrer is one URL without spaces).";
    MalformedScheme = "MALFORMED_SCHEME", Error, "The entry must start with http:// or https:// (list both schemes as two entries if you need both).";
    Backslash = "BACKSLASH", Error, "The entry contains a backslash: use forward slashes.";
    Userinfo = "USERINFO", Error, "The entry contains a user name or password (@): remove it; browsers never send it in a referrer.";
    InvalidPort = "INVALID_PORT", Error, "The port is not a number from 0 to 65535: fix it, or leave it out for the default port.";
    PortWildcard = "PORT_WILDCARD", Error, "A wildcard port (:*) is not supported: list each port as its own entry, e.g. http://localhost:3000.";
    InvalidHost = "INVALID_HOST", Error, "The host name is not valid: write a domain name, an IPv4 address or a bracketed IPv6 address.";
    WildcardPosition = "WILDCARD_POSITION", Error, "A wildcard is only allowed as the whole leftmost label, as in https://*.example.com.";
    PublicSuffixWildcard = "PUBLIC_SUFFIX_WILDCARD", Error, "The wildcard covers a public suffix or a top-level domain (like *.com, *.co.uk or *.github.io), which would let anyone's site use the key: name your own domain instead.";
    IpWildcard = "IP_WILDCARD", Error, "A wildcard cannot be combined with an IP address: list each address as its own entry.";
    PathWildcard = "PATH_WILDCARD", Error, "A wildcard in a path is only allowed as a trailing /*, as in https://example.com/app/*.";
    // Entry warnings and notes: the entry is used.
    WhitespaceTrimmed = "WHITESPACE_TRIMMED", Warning, "Spaces around the entry were ignored: remove them from the stored list.";
    DefaultPortDropped = "DEFAULT_PORT_DROPPED", Info, "The port is the scheme's default, which browsers never send; it is treated as no port.";
    PathIneffective = "PATH_INEFFECTIVE", Warning, "Browsers send only the origin (https://host/) to ArcGIS services, so a path in the entry cannot match: remove the path.";
    QueryIgnored = "QUERY_IGNORED", Warning, "The query string (?…) in the entry is ignored: remove it.";
    FragmentIgnored = "FRAGMENT_IGNORED", Warning, "The fragment (#…) in the entry is ignored: remove it.";
    HostNormalised = "HOST_NORMALISED", Info, "The host was normalised the way browsers do (lowercase, punycode for international names, canonical IP form).";
    // Decision reasons.
    Matched = "MATCHED", Info, "The referrer matches an entry of the list.";
    Unrestricted = "UNRESTRICTED", Info, "The key has no referrer restrictions: it works from any page.";
    NoReferrer = "NO_REFERRER", Info, "No Referer header will be sent (or none was given), and the key is restricted by referrer: the request will be refused. Check the page's Referrer-Policy and that it is served over http(s).";
    EmptyReferrer = "EMPTY_REFERRER", Info, "The Referer header is empty, and the key is restricted by referrer: the request will be refused.";
    ReferrerNotUrl = "REFERRER_NOT_URL", Info, "The Referer is not an absolute URL, so it cannot match any entry.";
    ReferrerScheme = "REFERRER_SCHEME", Info, "The Referer is not an http or https URL, so it cannot match any entry (native apps must set a web Referer themselves).";
    ReferrerTooLong = "REFERRER_TOO_LONG", Info, "The Referer is longer than 64 KiB and is refused.";
    NoValidEntry = "NO_VALID_ENTRY", Info, "Every entry of the list is malformed, so the key is refused everywhere: fix the entries (an empty list, not a broken one, means unrestricted).";
    NoMatch = "NO_MATCH", Info, "The referrer matches no entry: add this page's origin (scheme, host and port) to the key's referrers.";
}
