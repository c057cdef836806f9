//! CSS selectors named in pipeline files (`listing` sources), checked when the file is read.
//!
//! The configuration owns the parsed selector, so nothing downstream parses it again and the
//! fetcher needs no say in what a valid pipeline is.

use scraper::Selector;

/// A validated CSS selector and the text it was written as.
#[derive(Debug, Clone)]
pub struct CssSelector {
    text: String,
    selector: Selector,
}

impl CssSelector {
    /// Parses `css`; the error names the selector and what is wrong with it.
    pub fn parse(css: &str) -> Result<CssSelector, String> {
        if css.trim().is_empty() {
            return Err("empty CSS selector: expected e.g. `ul.press-releases li h3 a`".to_string());
        }
        let selector = Selector::parse(css).map_err(|error| {
            let reason = match error {
                scraper::error::SelectorErrorKind::UnexpectedSelectorParseError(kind) => format!("{kind:?}"),
                other => other.to_string(),
            };
            format!("invalid CSS selector `{css}`: {reason}")
        })?;
        Ok(CssSelector { text: css.to_string(), selector })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn selector(&self) -> &Selector {
        &self.selector
    }
}

impl PartialEq for CssSelector {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_checked_with_a_pointed_message() {
        assert_eq!(CssSelector::parse("ul.releases li a").unwrap().as_str(), "ul.releases li a");
        let err = CssSelector::parse("ul..x").unwrap_err();
        assert!(err.contains("`ul..x`"), "{err}");
        assert!(CssSelector::parse("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn bad_selectors_are_named_in_errors() {
        for css in ["", "   ", "ul li >", "a[rel=", "a:unknown-pseudo", "!!"] {
            let message = CssSelector::parse(css).unwrap_err();
            assert!(message.contains("selector"), "{message}");
            if !css.trim().is_empty() {
                assert!(message.contains(&format!("`{css}`")), "{message}");
            }
        }
        assert!(CssSelector::parse("a[rel~=next], .pager-next a, link[rel=next]").is_ok());
    }
}
