//! Closed lists of values (kinds, segments, units …) with stable API codes and Russian/English labels.

/// Declares an enum whose variants have a stable code (used in the API and the database) and labels
/// in both languages, with `code`, `from_code`, `label` and `ALL`.
#[macro_export]
macro_rules! coded_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($code:literal, $ru:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the API and the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a stable code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The name shown to users.
            pub fn label(self, lang: $crate::validation::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($ru, $en)),+ }
            }

            /// Parses a code, or names the allowed codes.
            pub fn parse(code: &str) -> Result<Self, $crate::validation::Problem> {
                Self::from_code(code.trim()).ok_or_else(|| $crate::validation::Problem::NotAllowed {
                    allowed: Self::ALL.iter().map(|v| v.code().to_string()).collect(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
    };
}
