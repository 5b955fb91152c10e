//! Short invented narratives for the reason for referral, and safe times.
//! They name no one: "the victim", "her ex-partner", never a name.
use crate::weighted::pick;
use haven_domain::agency::AgencyKind;
use haven_domain::person::RelationshipKind;
use haven_domain::risk::RiskLevel;
use rand::Rng;

const HIGH: &[&str] = &[
    "discloses non-fatal strangulation and believes the abuse is getting worse",
    "reports threats to kill and that the abuser has access to a knife",
    "describes an assault causing injury and that assaults are becoming more frequent",
    "reports constant stalking since separating, including being followed to work",
    "says the abuser has threatened suicide if the relationship ends and controls all contact with family",
    "reports being locked in the house and prevented from seeking medical help",
];
const MEDIUM: &[&str] = &[
    "describes coercive and controlling behaviour, including monitoring of phone and messages",
    "reports repeated verbal abuse and damage to property at the home",
    "says the abuser controls the money and benefits and leaves nothing for food",
    "reports harassment by text and social media after the relationship ended",
    "describes jealousy, accusations and isolation from friends",
    "reports being pushed during an argument; no injury but frightened",
];
const STANDARD: &[&str] = &[
    "reports a verbal argument; no injuries and no previous incidents disclosed",
    "would like advice about child contact arrangements",
    "reports unwanted messages and would like information on options",
    "describes arguments about money and would like to talk to someone",
    "asks for information about support after a relationship ended",
];
const POLICE: &[&str] = &[
    "Police attended following a call from a neighbour.",
    "Police attended after a 999 call from the home address.",
    "Police attended a reported breach of a non-molestation order.",
    "Referral from the police domestic abuse unit after a crime report.",
];
const SAFE_TIMES: &[&str] = &[
    "Weekdays 9am to 12pm",
    "Weekday afternoons while the children are at school",
    "Evenings after 7pm",
    "Tuesday and Thursday mornings",
    "Any time; lives alone",
    "Only when contacted through the GP surgery",
    "Mornings before 10am",
];

fn lead(source: AgencyKind) -> Option<&'static str> {
    use AgencyKind as K;
    Some(match source {
        K::SelfReferral => "Self-referral through the helpline.",
        K::FriendFamily => "A friend contacted the service on the victim's behalf.",
        K::ChildrensServices => "Children's social care identified concerns during an assessment.",
        K::HealthVisitor => "Health visitor identified concerns at a routine visit.",
        K::Maternity => "Midwife asked routine enquiry at a booking appointment.",
        K::Gp => "GP identified concerns at an appointment.",
        K::AandE => "Attended the emergency department with injuries.",
        K::MentalHealth => "Mental health practitioner identified concerns.",
        K::SubstanceMisuse => "Recovery worker identified concerns.",
        K::Housing => "Presented to housing options as homeless.",
        K::Education => "School safeguarding lead passed on concerns raised by a pupil.",
        K::Probation => "Probation identified concerns while supervising the alleged perpetrator.",
        K::AdultSocialCare => "Adult social care identified concerns during a care review.",
        K::SpecialistDa => "Transferred from another domestic abuse service.",
        K::VictimSupport => "Victim Support passed this on after a crime report.",
        K::Other => "Referred by a community organisation.",
        K::Police => return None,
    })
}

fn about(rel: RelationshipKind) -> &'static str {
    match rel {
        RelationshipKind::IntimatePartner => "Concerns relate to a current partner.",
        RelationshipKind::ExPartner => "Concerns relate to an ex-partner.",
        RelationshipKind::FamilyMember | RelationshipKind::ParentOf => "Concerns relate to a family member.",
    }
}

/// A one- to three-sentence reason for referral.
pub(crate) fn reason<R: Rng + ?Sized>(
    rng: &mut R,
    source: AgencyKind,
    risk: RiskLevel,
    rel: Option<RelationshipKind>,
    children: bool,
) -> String {
    let what = match risk {
        RiskLevel::High => pick(rng, "discloses escalating abuse", HIGH),
        RiskLevel::Medium => pick(rng, "describes controlling behaviour", MEDIUM),
        RiskLevel::Standard => pick(rng, "would like advice", STANDARD),
    };
    let mut s = String::with_capacity(200);
    if source == AgencyKind::Police {
        s.push_str(pick(rng, "Police attended.", POLICE));
        s.push(' ');
    }
    if let Some(l) = lead(source) {
        s.push_str(l);
        s.push(' ');
    }
    s.push_str("The victim ");
    s.push_str(what);
    s.push('.');
    if let Some(rel) = rel {
        s.push(' ');
        s.push_str(about(rel));
    }
    if children {
        s.push_str(if rng.gen_bool(0.5) { " Children live in the household." } else { " Children were present." });
    }
    s
}

pub(crate) fn safe_times<R: Rng + ?Sized>(rng: &mut R) -> String {
    pick(rng, "Weekdays 9am to 12pm", SAFE_TIMES).to_owned()
}
