use std::fmt;

use poem_openapi::validation::Validator;

/// Accepts only the listed values: the `enum` of a number, integer or boolean schema
/// (poem-openapi's `Enum` derives string enums only). Used as a custom validator.
pub struct Among<T: 'static>(pub &'static [T]);

impl<T: PartialEq + fmt::Debug> Validator<T> for Among<T> {
    fn check(&self, value: &T) -> bool {
        self.0.contains(value)
    }
}

impl<T: fmt::Debug> fmt::Display for Among<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "enum({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_values_pass() {
        let among = Among(&[1_i64, 5, 10]);

        assert!(among.check(&5));
        assert!(!among.check(&6));
        assert_eq!(among.to_string(), "enum([1, 5, 10])");
    }
}
