//! Query-string parameters: parsed by hand so every bad value is a JSON 400 that names the
//! parameter, the value and what is accepted (axum's extractor answers in plain text).

use crate::index::{DocType, Interval, MAX_FACET_SIZE, MAX_LIMIT, MAX_WINDOW, Sort};

use super::ApiError;

/// Hits per page when the request does not say.
pub const DEFAULT_LIMIT: usize = 20;

/// The decoded parameters of one request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let pairs = raw.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
        Params { pairs }
    }

    /// The last value of `name` (empty values count as absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str()).collect()
    }

    /// Refuses parameters outside `known`, suggesting the closest.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        for (name, _) in &self.pairs {
            if !known.contains(&name.as_str()) {
                let hint = known
                    .iter()
                    .map(|k| (crate::index::edit_distance(name, k), *k))
                    .filter(|(d, _)| *d <= 2)
                    .min()
                    .map(|(_, k)| format!(", did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(ApiError::bad_request(format!(
                    "unknown parameter `{name}`{hint} (parameters: {})",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                _ => {
                    Err(ApiError::bad_request(format!("`{name}` must be a whole number from 0 to {max}, got `{raw}`")))
                }
            },
        }
    }

    pub fn query(&self) -> String {
        self.get("q").unwrap_or("").to_string()
    }

    pub fn limit(&self) -> Result<usize, ApiError> {
        self.number("limit", DEFAULT_LIMIT, MAX_LIMIT)
    }

    pub fn offset(&self) -> Result<usize, ApiError> {
        self.number("offset", 0, MAX_WINDOW)
    }

    pub fn size(&self) -> Result<usize, ApiError> {
        let size = self.number("size", 10, MAX_FACET_SIZE)?;
        if size == 0 {
            return Err(ApiError::bad_request(format!("`size` must be from 1 to {MAX_FACET_SIZE}, got `0`")));
        }
        Ok(size)
    }

    /// `type=quote|article|all`.
    pub fn doc_type(&self, default: Option<DocType>) -> Result<Option<DocType>, ApiError> {
        match self.get("type") {
            None => Ok(default),
            Some("all") => Ok(None),
            Some(raw) => DocType::parse(raw)
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("unknown type `{raw}`: expected quote, article or all"))),
        }
    }

    pub fn sort(&self) -> Result<Sort, ApiError> {
        match self.get("sort") {
            None | Some("relevance") => Ok(Sort::Relevance),
            Some("date") => Ok(Sort::Date),
            Some(raw) => Err(ApiError::bad_request(format!("unknown sort `{raw}`: expected relevance or date"))),
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false" | "0" | "no") => Ok(false),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some(raw) => Err(ApiError::bad_request(format!("`{name}` must be true or false, got `{raw}`"))),
        }
    }

    /// `by=day|week|month|year`.
    pub fn interval(&self, default: Interval) -> Result<Interval, ApiError> {
        match self.get("by") {
            None => Ok(default),
            Some(raw) => Interval::parse(raw).ok_or_else(|| {
                ApiError::bad_request(format!("unknown interval `{raw}`: expected day, week, month or year"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_400s_that_name_the_parameter() {
        let p = Params::parse(Some("q=a%20b&limit=abc&offset=5&type=podcast&sort=date&collapse=maybe&by=fortnight"));
        assert_eq!(p.query(), "a b");
        assert!(p.limit().unwrap_err().message.contains("`limit` must be a whole number"));
        assert_eq!(p.offset().unwrap(), 5);
        assert!(p.doc_type(None).unwrap_err().message.contains("podcast"));
        assert_eq!(p.sort().unwrap(), Sort::Date);
        assert!(p.flag("collapse").is_err());
        assert!(p.interval(Interval::Month).is_err());
        assert_eq!(Params::parse(Some("limit=0")).limit().unwrap(), 0);
        assert!(Params::parse(Some("limit=-1")).limit().is_err());
        assert!(Params::parse(Some("limit=10001")).limit().is_err());
        let unknown = Params::parse(Some("lmit=3")).only(&["q", "limit"]).unwrap_err();
        assert!(unknown.message.contains("did you mean `limit`"), "{}", unknown.message);
        assert_eq!(Params::parse(Some("f=a&f=&f=b")).all("f"), ["a", "b"]);
    }
}
