//! The subset of the portal's `search` query syntax the emulator understands: `field:value` terms
//! (the value bare or in double quotes) combined with `AND`, `OR` and parentheses, `AND` binding
//! tighter than `OR`. Fields: `owner`, `type`, `typekeywords`, `id` (exact, case-insensitive) and
//! `title` (contains, case-insensitive). Anything else is refused, as the portal refuses a query
//! it cannot parse, so a client that sends more than this learns it here rather than in
//! production.

use crate::state::Item;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// `field:value`.
    Term(Field, String),
    /// Every part matches.
    And(Vec<Query>),
    /// Some part matches.
    Or(Vec<Query>),
}

/// A searchable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The owner's username.
    Owner,
    /// The item type (`Application`, `API Key`, …).
    Type,
    /// One of the type keywords.
    TypeKeywords,
    /// The item id.
    Id,
    /// Words of the title.
    Title,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Term(Field, String),
}

fn field(name: &str) -> Result<Field, String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "owner" => Field::Owner,
        "type" => Field::Type,
        "typekeywords" => Field::TypeKeywords,
        "id" => Field::Id,
        "title" => Field::Title,
        _ => return Err(format!("unsupported search field '{name}'")),
    })
}

fn tokens(q: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = q.trim_start();
    while let Some(c) = rest.chars().next() {
        if c == '(' || c == ')' {
            out.push(if c == '(' { Token::Open } else { Token::Close });
            rest = rest[1..].trim_start();
            continue;
        }
        let word_end = rest
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ':' || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        rest = &rest[word_end..];
        if let Some(after) = rest.strip_prefix(':') {
            let f = field(word)?;
            let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| "unterminated quoted value".to_string())?;
                (&quoted[..end], &quoted[end + 1..])
            } else {
                let end = after
                    .find(|c: char| c.is_whitespace() || c == ')')
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            if value.is_empty() {
                return Err(format!("empty value for '{word}'"));
            }
            out.push(Token::Term(f, value.to_string()));
            rest = tail;
        } else {
            match word {
                "AND" => out.push(Token::And),
                "OR" => out.push(Token::Or),
                _ => return Err(format!("unsupported search term '{word}'")),
            }
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

/// Parses a query (`Err`: what is wrong with it).
pub fn parse(q: &str) -> Result<Query, String> {
    let toks = tokens(q)?;
    let mut pos = 0;
    let query = or_expr(&toks, &mut pos, 0)?;
    if pos != toks.len() {
        return Err("unexpected text after the query".into());
    }
    Ok(query)
}

type Parser = fn(&[Token], &mut usize, usize) -> Result<Query, String>;

fn or_expr(t: &[Token], pos: &mut usize, depth: usize) -> Result<Query, String> {
    joined(t, pos, depth, &Token::Or, and_expr, Query::Or)
}

fn and_expr(t: &[Token], pos: &mut usize, depth: usize) -> Result<Query, String> {
    joined(t, pos, depth, &Token::And, atom, Query::And)
}

/// `part (sep part)*`: one part alone, or all of them wrapped.
fn joined(
    t: &[Token],
    pos: &mut usize,
    depth: usize,
    sep: &Token,
    part: Parser,
    wrap: fn(Vec<Query>) -> Query,
) -> Result<Query, String> {
    let mut parts = vec![part(t, pos, depth)?];
    while t.get(*pos) == Some(sep) {
        *pos += 1;
        parts.push(part(t, pos, depth)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        wrap(parts)
    })
}

fn atom(t: &[Token], pos: &mut usize, depth: usize) -> Result<Query, String> {
    if depth > 16 {
        return Err("the query is nested too deeply".into());
    }
    match t.get(*pos) {
        Some(Token::Term(f, v)) => {
            *pos += 1;
            Ok(Query::Term(*f, v.clone()))
        }
        Some(Token::Open) => {
            *pos += 1;
            let q = or_expr(t, pos, depth + 1)?;
            if t.get(*pos) != Some(&Token::Close) {
                return Err("missing ')'".into());
            }
            *pos += 1;
            Ok(q)
        }
        _ => Err("expected field:value or '('".into()),
    }
}

/// Whether `item` matches `q`.
pub fn matches(q: &Query, item: &Item) -> bool {
    match q {
        Query::Term(f, v) => match f {
            Field::Owner => item.owner.eq_ignore_ascii_case(v),
            Field::Type => item.item_type.eq_ignore_ascii_case(v),
            Field::TypeKeywords => item.type_keywords.iter().any(|k| k.eq_ignore_ascii_case(v)),
            Field::Id => item.id.eq_ignore_ascii_case(v),
            Field::Title => item.title.to_lowercase().contains(&v.to_lowercase()),
        },
        Query::And(parts) => parts.iter().all(|p| matches(p, item)),
        Query::Or(parts) => parts.iter().any(|p| matches(p, item)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(owner: &str, ty: &str, kw: &[&str]) -> Item {
        Item {
            id: "0123456789abcdef0123456789abcdef".into(),
            owner: owner.into(),
            title: "Store Locator key".into(),
            item_type: ty.into(),
            type_keywords: kw.iter().map(|k| k.to_string()).collect(),
            tags: vec![],
            snippet: String::new(),
            description: String::new(),
            access: "private".into(),
            created: 0,
            modified: 0,
            api_token1_expiration_date: -1,
            api_token2_expiration_date: -1,
            extra: Default::default(),
        }
    }

    #[test]
    fn the_credentials_query() {
        let q =
            parse(r#"owner:"demo_owner" AND (typekeywords:"APIToken" OR type:"API Key")"#).unwrap();
        assert!(matches(
            &q,
            &item("demo_owner", "Application", &["Registered App", "APIToken"])
        ));
        assert!(matches(&q, &item("DEMO_OWNER", "API Key", &[])));
        assert!(!matches(
            &q,
            &item("demo_owner", "Application", &["Registered App"])
        ));
        assert!(!matches(
            &q,
            &item("someone_else", "Application", &["APIToken"])
        ));
    }

    #[test]
    fn precedence_bare_values_and_titles() {
        // AND binds tighter than OR.
        let q = parse("owner:a AND type:x OR owner:b").unwrap();
        assert!(matches(&q, &item("b", "y", &[])));
        assert!(!matches(&q, &item("a", "y", &[])));
        assert!(matches(
            &parse("title:locator").unwrap(),
            &item("a", "y", &[])
        ));
    }

    #[test]
    fn refused_queries() {
        for q in [
            "",
            "owner:",
            "owner:\"open",
            "(owner:a",
            "owner:a)",
            "owner:a AND",
            "tags:x",
            "free text",
            "owner:a NOT type:b",
            "(".repeat(40).as_str(),
        ] {
            assert!(parse(q).is_err(), "{q:?}");
        }
    }
}
