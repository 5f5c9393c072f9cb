//! The sales team: the head of sales, a technologist and managers across the federal districts.
//! `admin` is not among them: the application creates it.

use crate::DemoUser;
use crate::rng::{DemoRng, pick};

/// The company's mail domain.
pub const COMPANY_DOMAIN: &str = "ferment-ingredients.ru";

/// login, full name, e-mail name, mobile phone, territory, whether the user owns clients.
#[rustfmt::skip]
const TEAM: &[(&str, &str, &str, &str, &str, bool)] = &[
    ("head", "Белов Андрей Николаевич", "a.belov", "+7 (916) 201-45-17", "RU", true),
    ("manager", "Кузнецова Ольга Сергеевна", "o.kuznetsova", "+7 (927) 318-62-40", "RU-VFD", true),
    ("technologist", "Романова Елена Игоревна", "e.romanova", "+7 (915) 774-03-28", "RU", false),
    ("logist", "Соколов Артём Евгеньевич", "a.sokolov", "+7 (916) 488-20-73", "RU", false),
    ("m.orlov", "Орлов Максим Дмитриевич", "m.orlov", "+7 (925) 140-77-91", "RU-CFD", true),
    ("a.vasilyeva", "Васильева Анна Павловна", "a.vasilyeva", "+7 (903) 562-18-09", "RU-CFD", true),
    ("i.smirnov", "Смирнов Игорь Александрович", "i.smirnov", "+7 (921) 655-30-12", "RU-NWFD", true),
    ("d.goncharov", "Гончаров Денис Викторович", "d.goncharov", "+7 (918) 403-27-56", "RU-SFD", true),
    ("t.zaitseva", "Зайцева Татьяна Олеговна", "t.zaitseva", "+7 (912) 287-44-63", "RU-UFD", true),
    ("p.medvedev", "Медведев Павел Юрьевич", "p.medvedev", "+7 (913) 902-15-38", "RU-SIB", true),
    ("s.kim", "Ким Сергей Владимирович", "s.kim", "+7 (914) 330-58-21", "RU-FEFD", true),
];

/// The team as the demo creates it.
pub(crate) fn team() -> Vec<DemoUser> {
    TEAM.iter()
        .map(
            |(login, full_name, mailbox, phone, territory, _)| DemoUser {
                login: (*login).into(),
                full_name: (*full_name).into(),
                email: format!("{mailbox}@{COMPANY_DOMAIN}"),
                phone: (*phone).into(),
                territory_code: (*territory).into(),
                roles: vec![role_of(login).into()],
            },
        )
        .collect()
}

/// The role a team member holds: the head of sales sees every client, the technologist the
/// knowledge base without prices, everyone else is a regional manager of their territory.
fn role_of(login: &str) -> &'static str {
    match login {
        "head" => "head_of_sales",
        "technologist" => "technologist",
        "logist" => "logistics",
        _ => "regional_manager",
    }
}

/// The territory of a team member, or `None` for a login the demo does not know.
fn known_territory(login: &str) -> Option<(&'static str, bool)> {
    TEAM.iter()
        .find(|member| member.0 == login)
        .map(|member| (member.4, member.5))
}

/// The owner of a client in `region` of `district`: a team member working that district or region;
/// else a member covering all Russia (or a login the demo does not know); else any login; empty when
/// there are none.
pub(crate) fn owner_for(
    rng: &mut DemoRng,
    region: &str,
    district: &str,
    logins: &[String],
) -> String {
    let local: Vec<&String> = logins
        .iter()
        .filter(|login| {
            matches!(known_territory(login), Some((t, true)) if t == region || t == district)
        })
        .collect();
    if !local.is_empty() {
        return pick(rng, &local).to_string();
    }
    let general: Vec<&String> = logins
        .iter()
        .filter(|login| match known_territory(login) {
            Some((t, owns)) => owns && t == "RU",
            None => true,
        })
        .collect();
    if !general.is_empty() {
        return pick(rng, &general).to_string();
    }
    if logins.is_empty() {
        String::new()
    } else {
        pick(rng, logins).clone()
    }
}

#[cfg(test)]
mod tests {
    use ferment_domain::territory::SEED;

    use super::*;
    use crate::rng::stream;

    #[test]
    fn every_team_territory_is_in_the_seed() {
        for user in team() {
            assert!(
                SEED.iter().any(|t| t.code == user.territory_code),
                "{}",
                user.login
            );
        }
    }

    #[test]
    fn clients_go_to_the_manager_of_their_district() {
        let logins: Vec<String> = team().into_iter().map(|u| u.login).collect();
        let mut rng = stream(1, 0, 0);
        assert_eq!(owner_for(&mut rng, "RU-TA", "RU-VFD", &logins), "manager");
        assert_eq!(owner_for(&mut rng, "RU-DA", "RU-NCFD", &logins), "head");
        let strangers = vec!["x".to_string()];
        assert_eq!(owner_for(&mut rng, "RU-TA", "RU-VFD", &strangers), "x");
        assert_eq!(owner_for(&mut rng, "RU-TA", "RU-VFD", &[]), "");
    }
}
