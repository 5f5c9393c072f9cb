//! The service document and `$metadata` (EDMX, OData v3), both written from the schema table.

use std::fmt::Write as _;

use crate::schema::{Field, Kind, Schema, SetDef, Ty};

fn property(out: &mut String, field: &Field, set: &SetDef) {
    let (ty, nullable) = match &field.ty {
        Ty::Table(t) => (
            format!(
                "Collection(StandardODATA.{}_{}_RowType)",
                set.name, set.tables[*t].name
            ),
            "true",
        ),
        Ty::Key => (field.ty.edm().to_string(), "false"),
        other => (other.edm().to_string(), "true"),
    };
    let _ = write!(
        out,
        "<Property Name=\"{}\" Type=\"{ty}\" Nullable=\"{nullable}\"",
        field.name
    );
    if let Ty::Str(len) | Ty::Fixed(len) = field.ty
        && len > 0
    {
        let _ = write!(out, " MaxLength=\"{len}\"");
    }
    out.push_str("/>");
}

fn association_name(owner: &str, nav: &str) -> String {
    format!("{owner}_{nav}")
}

fn navigations(
    out: &mut String,
    owner: &str,
    fields: &[Field],
    associations: &mut Vec<(String, String, String)>,
) {
    for field in fields {
        if let (Some(nav), Ty::Ref(target)) = (field.navigation(), &field.ty) {
            let name = association_name(owner, nav);
            let _ = write!(
                out,
                "<NavigationProperty Name=\"{nav}\" Relationship=\"StandardODATA.{name}\" FromRole=\"Begin\" ToRole=\"End\"/>"
            );
            associations.push((name, owner.to_string(), target.clone()));
        }
    }
}

fn key(out: &mut String, names: &[String]) {
    out.push_str("<Key>");
    for name in names {
        let _ = write!(out, "<PropertyRef Name=\"{name}\"/>");
    }
    out.push_str("</Key>");
}

/// The EDMX of a schema.
pub fn edmx(schema: &Schema) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.push_str(
        "<edmx:Edmx xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\" Version=\"1.0\">",
    );
    out.push_str("<edmx:DataServices xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\" m:DataServiceVersion=\"3.0\">");
    out.push_str("<Schema xmlns=\"http://schemas.microsoft.com/ado/2009/11/edm\" Namespace=\"StandardODATA\">");
    let mut associations = Vec::new();
    let mut sets: Vec<String> = Vec::new();
    let mut functions = String::new();
    for set in &schema.sets {
        let _ = write!(out, "<EntityType Name=\"{}\">", set.name);
        key(&mut out, &set.key);
        for field in &set.fields {
            property(&mut out, field, set);
        }
        navigations(&mut out, &set.name, &set.fields, &mut associations);
        out.push_str("</EntityType>");
        sets.push(set.name.clone());
        for (t, table) in set.tables.iter().enumerate() {
            let row_set = format!("{}_{}", set.name, table.name);
            let _ = write!(out, "<ComplexType Name=\"{row_set}_RowType\">");
            for field in set.table_fields(t) {
                property(&mut out, &field, set);
            }
            out.push_str("</ComplexType>");
            let _ = write!(out, "<EntityType Name=\"{row_set}\">");
            key(&mut out, &["Ref_Key".to_string(), "LineNumber".to_string()]);
            let fields = set.table_fields(t);
            for field in &fields {
                property(&mut out, field, set);
            }
            navigations(&mut out, &row_set, &fields, &mut associations);
            out.push_str("</EntityType>");
            sets.push(row_set);
        }
        let function = match set.kind {
            Kind::AccumulationRegister | Kind::AccountingRegister => {
                Some(("Balance", set.kind == Kind::AccumulationRegister))
            }
            Kind::InformationRegister if set.field("Period").is_some() => {
                Some(("SliceLast", false))
            }
            _ => None,
        };
        if let Some((name, dimensions)) = function {
            let result = format!("{}_{name}", set.name);
            let _ = write!(out, "<ComplexType Name=\"{result}\"/>");
            let _ = write!(
                functions,
                "<FunctionImport Name=\"{name}\" ReturnType=\"Collection(StandardODATA.{result})\" IsBindable=\"true\" m:IsAlwaysBindable=\"true\"><Parameter Name=\"bindingParameter\" Type=\"Collection(StandardODATA.{})\"/><Parameter Name=\"Period\" Type=\"Edm.DateTime\"/><Parameter Name=\"Condition\" Type=\"Edm.String\"/>",
                set.name
            );
            if dimensions {
                functions.push_str("<Parameter Name=\"Dimensions\" Type=\"Edm.String\"/>");
            }
            functions.push_str("</FunctionImport>");
        }
    }
    for (name, from, to) in &associations {
        let _ = write!(
            out,
            "<Association Name=\"{name}\"><End Role=\"Begin\" Type=\"StandardODATA.{from}\" Multiplicity=\"*\"/><End Role=\"End\" Type=\"StandardODATA.{to}\" Multiplicity=\"0..1\"/></Association>"
        );
    }
    out.push_str("<EntityContainer Name=\"EnterpriseV8\" m:IsDefaultEntityContainer=\"true\">");
    for name in &sets {
        let _ = write!(
            out,
            "<EntitySet Name=\"{name}\" EntityType=\"StandardODATA.{name}\"/>"
        );
    }
    for (name, from, to) in &associations {
        let _ = write!(
            out,
            "<AssociationSet Name=\"{name}\" Association=\"StandardODATA.{name}\"><End Role=\"Begin\" EntitySet=\"{from}\"/><End Role=\"End\" EntitySet=\"{to}\"/></AssociationSet>"
        );
    }
    out.push_str(&functions);
    out.push_str("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
    out
}

/// The service document: every entity set, Atom service format or JSON.
pub fn service_document(schema: &Schema, root: &str, json: bool) -> String {
    let mut names = Vec::new();
    for set in &schema.sets {
        names.push(set.name.clone());
        names.extend(
            set.tables
                .iter()
                .map(|t| format!("{}_{}", set.name, t.name)),
        );
    }
    if json {
        let value = serde_json::json!({ "odata.metadata": format!("{root}$metadata"), "value": names.iter().map(|n| serde_json::json!({"name": n, "url": n})).collect::<Vec<_>>() });
        return value.to_string();
    }
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><service xmlns=\"http://www.w3.org/2007/app\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xml:base=\"{}\"><workspace><atom:title>Default</atom:title>",
        quick_xml::escape::escape(root)
    );
    for name in names {
        let _ = write!(
            out,
            "<collection href=\"{name}\"><atom:title>{name}</atom:title></collection>"
        );
    }
    out.push_str("</workspace></service>");
    out
}
