//! Common English given-name short forms and nicknames, mapped to one
//! canonical form. A name absent from the table is its own canonical form.
//! Ambiguous short forms (e.g. "chris", "alex", "sam") are caught by the
//! prefix rule in `compare` instead.

use std::collections::HashMap;
use std::sync::OnceLock;

/// `canonical: variant variant …` lines.
const TABLE: &str = "
abigail: abby abbie abi
albert: al bert bertie
alexander: alex alec sandy xander
alexandra: alex lexi sandra sasha
alfred: alf alfie fred
andrew: andy drew
anthony: tony ant
barbara: barb babs
benjamin: ben benny benji
bernard: bernie
catherine: cathy cath kate katie kat cat kathryn katherine kathy
charles: charlie chas chuck
charlotte: lottie charlie
christine: chris chrissie tina christina
christopher: chris kit topher
daniel: dan danny
david: dave davey
deborah: debbie debs deb debra
donald: don donnie
dorothy: dot dottie dolly
edward: ed eddie ted teddy ned
eleanor: ellie nell nora elle
elizabeth: liz lizzie beth betty bess bessie eliza libby lisa elisabeth
frances: fran fanny frankie
francis: frank
frederick: fred freddie freddy
gabrielle: gabby gabi
gerald: gerry jerry
gregory: greg
harold: harry hal
helen: nell ellen
henry: harry hank
isabel: izzy isabelle isabella bella
jacqueline: jackie jacqui
james: jim jimmy jamie
jennifer: jen jenny jenni
jessica: jess jessie
john: jack johnny jon
jonathan: jon jonny
joseph: joe joey
joshua: josh
judith: judy jude
katherine: kate katie kathy kat
kenneth: ken kenny
lawrence: larry laurie
leonard: len lenny leo
lesley: les
margaret: maggie meg peggy marge maisie margo
matthew: matt matty
michael: mike mick micky mikey
nathan: nate
nicholas: nick nicky
nicola: nicky nikki
oliver: ollie
patricia: pat patty trish tricia
patrick: pat paddy
peter: pete
philip: phil pip phillip
rebecca: becky becca bex
richard: rich rick ricky dick richie
robert: bob bobby rob robbie bert
ronald: ron ronnie
samantha: sam sammy
samuel: sam sammy
sarah: sally sadie sara
stephen: steve stevie steven
stephanie: steph
susan: sue susie suzanne
terence: terry
thomas: tom tommy
timothy: tim timmy
victoria: vicky vikki tori
vincent: vince vinny
walter: walt wally
william: bill billy will willie liam
zachary: zach zak
";

fn table() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for line in TABLE.lines() {
            let Some((canon, variants)) = line.split_once(':') else {
                continue;
            };
            let canon = canon.trim();
            map.entry(canon).or_insert(canon);
            for v in variants.split_whitespace() {
                // First mapping wins: "harry" stays with harold, "pat" with patricia.
                map.entry(v).or_insert(canon);
            }
        }
        map
    })
}

/// The canonical form of a normalised (lower-case letters) given name.
pub fn canonical(name: &str) -> &str {
    table().get(name).copied().unwrap_or(name)
}

/// Every (variant, canonical) pair in the table, for the generator.
pub fn variants_of(canonical_name: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> =
        table().iter().filter(|(k, c)| **c == canonical_name && **k != canonical_name).map(|(k, _)| *k).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_map_to_one_form() {
        assert_eq!(canonical("bob"), "robert");
        assert_eq!(canonical("robert"), "robert");
        assert_eq!(canonical("liz"), "elizabeth");
        assert_eq!(canonical("zebedee"), "zebedee");
        assert!(variants_of("william").contains(&"bill"));
    }
}
