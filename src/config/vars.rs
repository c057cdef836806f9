//! `${NAME}` and `${NAME:-default}` interpolation in pipeline files.
//!
//! Lets one pipeline file serve several deployments (and the demo's random loopback ports)
//! without editing. Pure text substitution before TOML parsing; `$$` writes a literal `$`.

use super::Issue;

/// Replaces variables in `text` using `lookup`; every undefined variable without a default
/// (and every malformed one) is an issue naming it and its line.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, Vec<Issue>> {
    let mut out = String::with_capacity(text.len());
    let mut issues = Vec::new();
    let mut rest = text;
    let line = |rest: &str| Some(text[..text.len() - rest.len()].matches('\n').count() + 1);
    while let Some(pos) = rest.find('$') {
        let at = line(&rest[pos..]);
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(close) = body.find('}') else {
                issues.push(Issue {
                    path: "(file)".to_string(),
                    message: "unterminated `${` variable".to_string(),
                    hint: Some("close it with `}` or write `$$` for a literal dollar".to_string()),
                    line: at,
                });
                return Err(issues);
            };
            let spec = &body[..close];
            let (name, default) = match spec.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (spec, None),
            };
            let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                issues.push(Issue {
                    path: "(file)".to_string(),
                    message: format!("`${{{spec}}}` is not a valid variable"),
                    hint: Some("names use letters, digits and `_`".to_string()),
                    line: at,
                });
            } else {
                match lookup(name).or_else(|| default.map(str::to_string)) {
                    Some(value) => out.push_str(&value),
                    None => issues.push(Issue {
                        path: "(file)".to_string(),
                        message: format!("variable `{name}` is not set"),
                        hint: Some(format!("set it in the environment or write `${{{name}:-default}}`")),
                        line: at,
                    }),
                }
            }
            rest = &body[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    if issues.is_empty() { Ok(out) } else { Err(issues) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_defaults_and_escapes() {
        let lookup = |n: &str| (n == "A").then(|| "x".to_string());
        assert_eq!(interpolate("${A}/${B:-y}/$$/$5", &lookup).unwrap(), "x/y/$/$5");
        assert!(interpolate("${C}", &lookup).unwrap_err()[0].message.contains("`C`"));
        let both = interpolate("a = \"${C}\"\nb = \"${D}\"", &lookup).unwrap_err();
        assert_eq!(
            both.iter().map(|i| i.line).collect::<Vec<_>>(),
            [Some(1), Some(2)],
            "every variable, each at its line"
        );
        assert!(interpolate("${A", &lookup).is_err());
        assert!(interpolate("${a b}", &lookup).is_err());
    }
}
