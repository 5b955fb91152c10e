//! Risk levels as DASH and the partnership use them.
use crate::vocabulary;

vocabulary!(
    /// Ordered: Standard < Medium < High.
    RiskLevel {
        Standard = "standard": "Standard",
        Medium = "medium": "Medium",
        High = "high": "High",
    }
);
