//! Agencies that refer into, and work within, the partnership.
use crate::vocabulary;

vocabulary!(
    /// The kind of agency a referral comes from or a user works for.
    AgencyKind {
        Police = "police": "Police",
        ChildrensServices = "childrens_services": "Children's services",
        AdultSocialCare = "adult_social_care": "Adult social care",
        Gp = "gp": "GP",
        AandE = "a_and_e": "A&E",
        Maternity = "maternity": "Maternity",
        HealthVisitor = "health_visitor": "Health visitor",
        MentalHealth = "mental_health": "Mental health",
        SubstanceMisuse = "substance_misuse": "Substance misuse",
        Housing = "housing": "Housing",
        Probation = "probation": "Probation",
        Education = "education": "Education",
        SpecialistDa = "specialist_da": "Specialist domestic abuse service",
        VictimSupport = "victim_support": "Victim Support",
        SelfReferral = "self": "Self-referral",
        FriendFamily = "friend_family": "Friend or family",
        Other = "other": "Other",
    }
);

impl AgencyKind {
    /// Police versus partner agencies, as MARAC statistics split referrals.
    pub fn is_police(self) -> bool {
        self == AgencyKind::Police
    }
}

vocabulary!(
    /// What a team inside the partnership does.
    TeamKind {
        FrontDoor = "front_door": "Front door (single point of contact)",
        Idva = "idva": "IDVA service",
        Outreach = "outreach": "Outreach and community caseworkers",
        Refuge = "refuge": "Refuge and safe accommodation",
        ChildrenYoungPeople = "cyp": "Children and young people",
        Perpetrator = "perpetrator": "Perpetrator programme",
        Marac = "marac": "MARAC",
        Partner = "partner": "Partner agency",
        Commissioning = "commissioning": "Commissioning and analysis",
        Administration = "administration": "System administration",
    }
);
