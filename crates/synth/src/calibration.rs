//! The target distributions the generator samples from, with their sources.
//! Weights are relative (they need not sum to 100).
use haven_domain::agency::AgencyKind;
use haven_domain::person::{Ethnicity, RelationshipKind, Sex, SexualOrientation, YesNoUnknown};
use haven_domain::risk::RiskLevel;

/// Referral source. Seed 000 Table 6 (Hampshire IDASH, April 2016 – March
/// 2017, n = 4,774): police 40.2%, self 14.8%, children's services 10.7%,
/// other 7.8%. The table's long tail (health visitors, housing and registered
/// landlords, schools, adult services, mental health, other DA providers and
/// the third sector, MARAC, maternity, A&E, GP…) is garbled in the stored
/// text, so the remaining 26.5% is apportioned to our agency kinds by
/// judgement, keeping its order of magnitude.
pub const REFERRAL_SOURCES: &[(AgencyKind, f64)] = &[
    (AgencyKind::Police, 40.2),
    (AgencyKind::SelfReferral, 14.8),
    (AgencyKind::ChildrensServices, 10.7),
    (AgencyKind::Other, 7.8),
    (AgencyKind::SpecialistDa, 5.0),
    (AgencyKind::Housing, 4.5),
    (AgencyKind::HealthVisitor, 4.0),
    (AgencyKind::FriendFamily, 3.5),
    (AgencyKind::Education, 2.0),
    (AgencyKind::AdultSocialCare, 1.5),
    (AgencyKind::MentalHealth, 1.5),
    (AgencyKind::Gp, 1.0),
    (AgencyKind::AandE, 0.8),
    (AgencyKind::Probation, 0.8),
    (AgencyKind::Maternity, 0.7),
    (AgencyKind::SubstanceMisuse, 0.7),
    (AgencyKind::VictimSupport, 0.5),
];

/// Risk at referral. Seed 004 Table 1: high 3% in Hertfordshire against
/// "around 10%" elsewhere; medium 25%. We take the middle of 3–10%.
pub const RISK_MIX: &[(RiskLevel, f64)] = &[(RiskLevel::High, 7.0), (RiskLevel::Medium, 25.0), (RiskLevel::Standard, 68.0)];

/// Share of high-risk referrals raised to high on professional judgement
/// with a DASH score below 14.
pub const PROFESSIONAL_JUDGEMENT: f64 = 0.15;

/// Share of referrals that are about a victim already referred (seed 004:
/// police repeat rate 41%; IDVA repeats 19%; the brief asks for 30–40%).
pub const REPEAT_RATE: f64 = 0.35;

/// Seed 004 note 24: around 60% of victims have dependent children…
pub const HOUSEHOLDS_WITH_CHILDREN: f64 = 0.60;

/// …and almost 1.8 per family: this distribution has mean 1.805.
pub const CHILDREN_PER_FAMILY: &[(u8, f64)] = &[(1, 46.0), (2, 35.0), (3, 13.0), (4, 4.5), (5, 1.5)];

/// Share of referrals naming an alleged perpetrator (first referral).
pub const PERPETRATOR_NAMED: f64 = 0.92;

/// Chance that a newly named partner-perpetrator is someone already known as
/// the perpetrator against another victim (a serial perpetrator).
pub const SERIAL_PERPETRATOR: f64 = 0.04;

/// Victim ↔ perpetrator relationship.
pub const RELATIONSHIP: &[(RelationshipKind, f64)] =
    &[(RelationshipKind::IntimatePartner, 42.0), (RelationshipKind::ExPartner, 43.0), (RelationshipKind::FamilyMember, 15.0)];

/// Victims' sex: about 91% female, 7.5% male (services see far fewer men
/// than the CSEW rates imply: seed 000's access ratios, 12% vs 1.3%).
pub const VICTIM_SEX: &[(Sex, f64)] = &[(Sex::Female, 91.0), (Sex::Male, 7.5), (Sex::NotKnown, 1.0), (Sex::PreferNotToSay, 0.5)];

/// A shire county's mix (seed 000: 93% White; Asian 3.8%, Black 1.0% of
/// the population), with a little "not known".
pub const ETHNICITY: &[(Ethnicity, f64)] = &[
    (Ethnicity::WhiteBritish, 88.5),
    (Ethnicity::WhiteOther, 3.5),
    (Ethnicity::WhiteIrish, 0.5),
    (Ethnicity::WhiteGypsyTraveller, 0.3),
    (Ethnicity::WhiteRoma, 0.1),
    (Ethnicity::AsianIndian, 1.0),
    (Ethnicity::AsianPakistani, 0.4),
    (Ethnicity::AsianBangladeshi, 0.3),
    (Ethnicity::AsianChinese, 0.3),
    (Ethnicity::AsianOther, 0.6),
    (Ethnicity::BlackAfrican, 0.6),
    (Ethnicity::BlackCaribbean, 0.3),
    (Ethnicity::BlackOther, 0.1),
    (Ethnicity::MixedWhiteAsian, 0.5),
    (Ethnicity::MixedWhiteBlackAfrican, 0.3),
    (Ethnicity::MixedWhiteBlackCaribbean, 0.5),
    (Ethnicity::MixedOther, 0.4),
    (Ethnicity::OtherArab, 0.2),
    (Ethnicity::OtherAny, 0.3),
    (Ethnicity::NotKnown, 1.2),
    (Ethnicity::PreferNotToSay, 0.1),
];

/// Victims' sexual orientation: LGB about 3.5% (seed 000 uses 1.6% of women
/// and 2.3% of men in the population; LGB people are over-represented).
pub const VICTIM_ORIENTATION: &[(SexualOrientation, f64)] = &[
    (SexualOrientation::Heterosexual, 88.0),
    (SexualOrientation::GayLesbian, 1.8),
    (SexualOrientation::Bisexual, 1.7),
    (SexualOrientation::Other, 0.3),
    (SexualOrientation::NotKnown, 7.2),
    (SexualOrientation::PreferNotToSay, 1.0),
];

/// Victims' disability (disabled people are over-represented among victims).
pub const VICTIM_DISABILITY: &[(YesNoUnknown, f64)] =
    &[(YesNoUnknown::Yes, 17.0), (YesNoUnknown::No, 68.0), (YesNoUnknown::NotKnown, 14.0), (YesNoUnknown::PreferNotToSay, 1.0)];

/// Ages of victims with dependent children: (from, to inclusive, weight).
pub const PARENT_AGES: &[((u32, u32), f64)] = &[
    ((18, 19), 2.0),
    ((20, 24), 14.0),
    ((25, 29), 22.0),
    ((30, 34), 24.0),
    ((35, 39), 20.0),
    ((40, 44), 12.0),
    ((45, 49), 5.0),
    ((50, 54), 1.0),
];

/// Ages of victims without dependent children: young adults and older people.
pub const OTHER_AGES: &[((u32, u32), f64)] = &[
    ((16, 19), 12.0),
    ((20, 24), 19.0),
    ((25, 29), 14.0),
    ((30, 34), 9.0),
    ((35, 39), 7.0),
    ((40, 44), 7.0),
    ((45, 49), 8.0),
    ((50, 54), 7.0),
    ((55, 59), 6.0),
    ((60, 64), 4.0),
    ((65, 69), 3.0),
    ((70, 79), 3.0),
    ((80, 90), 1.0),
];

/// Share of referrals with an accommodation need, by risk (refuge is a last resort).
pub fn accommodation_need(risk: RiskLevel) -> f64 {
    match risk {
        RiskLevel::High => 0.15,
        RiskLevel::Medium => 0.05,
        RiskLevel::Standard => 0.015,
    }
}

/// Share of standard-risk referrals given advice by the front door (the rest
/// are signposted to universal services with no team assigned).
pub const STANDARD_ADVICE: f64 = 0.3;

#[cfg(test)]
mod tests {
    use super::*;

    fn total<T>(t: &[(T, f64)]) -> f64 {
        t.iter().map(|(_, w)| w).sum()
    }

    #[test]
    fn tables_are_percentages() {
        assert!((total(REFERRAL_SOURCES) - 100.0).abs() < 1e-9);
        assert!((total(RISK_MIX) - 100.0).abs() < 1e-9);
        assert!((total(CHILDREN_PER_FAMILY) - 100.0).abs() < 1e-9);
        assert!((total(VICTIM_SEX) - 100.0).abs() < 1e-9);
        assert!((total(ETHNICITY) - 100.0).abs() < 1e-9);
        assert!((total(VICTIM_ORIENTATION) - 100.0).abs() < 1e-9);
        assert!((total(VICTIM_DISABILITY) - 100.0).abs() < 1e-9);
        assert!((total(RELATIONSHIP) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn children_per_family_is_about_1_8() {
        let mean: f64 = CHILDREN_PER_FAMILY.iter().map(|(n, w)| f64::from(*n) * w).sum::<f64>() / 100.0;
        assert!((mean - 1.8).abs() < 0.01, "{mean}");
    }
}
